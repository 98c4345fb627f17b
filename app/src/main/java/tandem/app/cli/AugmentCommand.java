package tandem.app.cli;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tandem.data.augment.Preview;
import tandem.proto.AugmentationPolicy;

/** {@code tandem augment}: see what a policy does to a text before spending compute on it. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = "Print the views an augmentation policy makes of a text.")
public final class AugmentCommand implements Callable<Integer> {

    @Option(names = "--policy", defaultValue = "eda", description = "preset: none | eda | noise | eda+noise (default ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the views (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--views", defaultValue = "0", description = "augmented views (default: the preset's)")
    int views;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Parameters(paramLabel = "TEXT", description = "the text to augment")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "read the text from a UTF-8 file")
        Path file;
    }

    @Override
    public Integer call() throws Exception {
        AugmentationPolicy spec = AugmentationPolicy.newBuilder().setPreset(policy).build();
        String text = input.text != null ? input.text : read(input.file);
        List<String> out = Preview.preview(spec, seed, views, text);
        System.out.println("policy: " + Preview.describe(spec.toBuilder().setViews(views).build()) + "; seed " + seed);
        for (int i = 0; i < out.size(); i++) {
            System.out.printf("[%d] %s%n", i, out.get(i));
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }
}
