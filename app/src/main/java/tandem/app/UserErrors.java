package tandem.app;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import tandem.app.node.LocalCluster;
import tandem.data.corpus.DataException;
import tandem.protocol.SpecException;

/**
 * A user mistake (bad spec, missing corpus, ...) prints one line naming the field or file and exits 2;
 * anything else is a bug and keeps its stack trace.
 */
public final class UserErrors implements IExecutionExceptionHandler {
    public static final int USAGE = 2;
    public static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        if (e instanceof SpecException || e instanceof DataException || e instanceof IllegalArgumentException) {
            command.getErr().println("tandem: error: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof LocalCluster.ExperimentFailed) {
            command.getErr().println("tandem: experiment failed: " + e.getMessage());
            return FAILED;
        }
        throw e;
    }
}
