package tandem.app.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The rendered kustomize overlays (k8s/overlays/*), each object parsed into its typed fabric8 model. */
final class Manifests {
    static final List<String> OVERLAYS = List.of("cpu", "gpu");
    private static final Map<String, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {}

    /** The repository's root (tests run in app/). */
    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("k8s/base")) && Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new IllegalStateException("no k8s/base above " + dir);
    }

    /** {@code kubectl kustomize k8s/overlays/NAME}, parsed; cached per overlay. */
    static List<HasMetadata> overlay(String name) {
        return RENDERED.computeIfAbsent(name, n -> parse(kustomize(repo().resolve("k8s/overlays").resolve(n))));
    }

    static String kustomize(Path dir) {
        Path kubectl = kubectl();
        try {
            Path out = Files.createTempFile("kustomize-", ".yaml");
            Path err = Files.createTempFile("kustomize-", ".err");
            try {
                Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("kubectl kustomize " + dir + " did not finish in 120 s");
                }
                if (process.exitValue() != 0) {
                    fail("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "): " + Files.readString(err).trim());
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("kubectl kustomize " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** kubectl from PATH (or /usr/bin); a clear failure when it is missing: CI must have it. */
    static Path kubectl() {
        List<Path> candidates = new ArrayList<>();
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "kubectl"));
            }
        }
        candidates.add(Path.of("/usr/bin/kubectl"));
        candidates.add(Path.of("/usr/local/bin/kubectl"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                "kubectl is not installed (not on PATH, not in /usr/bin): the Kubernetes manifest tests render k8s/overlays with"
                        + " `kubectl kustomize`. Install kubectl (it includes kustomize); CI must provide it."));
    }

    /** Multi-document YAML into typed objects; an object fabric8 has no model for fails the test. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            HasMetadata object = Serialization.unmarshal(doc, HasMetadata.class);
            assertFalse(object instanceof GenericKubernetesResource,
                    () -> "no typed fabric8 model for " + object.getApiVersion() + " " + object.getKind());
            assertNotEquals(null, object.getMetadata().getName(), "an object without a name: " + doc);
            objects.add(object);
        }
        assertTrue(objects.size() > 5, "suspiciously few objects: " + objects.size());
        return List.copyOf(objects);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertEquals(1, found.size(), () -> "expected one " + type.getSimpleName() + " " + name + ", found " + found.size());
        return found.get(0);
    }

    /** Every file under {@code dir} whose name ends with one of {@code suffixes}. */
    static List<Path> files(Path dir, String... suffixes) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains(File.separator + "target" + File.separator))
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
