package tandem.coordinator.control;

import java.util.Optional;
import tandem.proto.ExperimentSpec;

/**
 * A check of a submitted spec that needs more than {@code Specs.validate} knows: whether this cluster can
 * carry it at all (the model's parameter vector and a shard must fit Artery's large-message frame; the
 * model code lives with the GPU workers, so the app supplies the check), and in local mode whether the corpus
 * path exists (there the data workers read this machine's files). {@code POST experiments} answers 400 with
 * the reason before anything is allocated anywhere.
 */
@FunctionalInterface
public interface SpecCheck {
    /** A one-line reason why {@code spec} (defaults filled in, already valid) cannot run here, or empty. */
    Optional<String> problem(ExperimentSpec spec);

    SpecCheck NONE = spec -> Optional.empty();

    /** This check, then {@code next} if this one finds nothing. */
    default SpecCheck and(SpecCheck next) {
        return spec -> problem(spec).or(() -> next.problem(spec));
    }
}
