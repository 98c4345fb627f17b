package tandem.app.api;

import java.util.Optional;
import tandem.coordinator.control.SpecCheck;
import tandem.data.corpus.DataException;
import tandem.data.corpus.FileCorpus;
import tandem.data.corpus.SyntheticCorpus;
import tandem.data.corpus.WordNetCorpus;
import tandem.proto.ExperimentSpec;

/**
 * The {@link SpecCheck} of local mode's API: the data workers read this machine's files, so a corpus path
 * that does not exist here, or holds no text, is a 400 naming it rather than an experiment that fails once
 * a data worker tries to read it. Only lists the files (no reading): the check runs on the request's thread.
 * Coordinator nodes do not check this: on a cluster the data workers' volumes need not be mounted where the
 * API runs.
 */
final class LocalCorpus implements SpecCheck {
    @Override
    public Optional<String> problem(ExperimentSpec spec) {
        String corpus = spec.getDataBudget().getCorpus();
        if (corpus.equals(WordNetCorpus.NAME) || corpus.equals(SyntheticCorpus.NAME)) {
            return Optional.empty();
        }
        try {
            FileCorpus.open(corpus);
            return Optional.empty();
        } catch (DataException e) {
            return Optional.of(e.getMessage());
        }
    }
}
