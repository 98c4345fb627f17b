package tandem.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.proto.AugmentationOp;
import tandem.proto.AugmentationPolicy;

class PolicyTest {
    static final String PARAGRAPH = "The old man walked slowly along the river. A cold wind blew over the water, and the "
            + "small boats rocked in the dark. He thought about the long summer days of his childhood! Would they ever "
            + "come back? Nobody in the quiet village could say.";

    private static AugmentationPolicy preset(String name) {
        return AugmentationPolicy.newBuilder().setPreset(name).build();
    }

    private static AugmentationOp op(String name, double rate) {
        return AugmentationOp.newBuilder().setName(name).setRate(rate).build();
    }

    private static String message(AugmentationPolicy p) {
        return assertThrows(IllegalArgumentException.class, () -> Augmenters.fromPolicy(p)).getMessage();
    }

    // ---- discovery --------------------------------------------------------------------------------------

    @Test
    void serviceLoaderFindsEveryBuiltIn() {
        Set<String> found = ServiceLoader.load(TextOp.class).stream()
                .map(p -> p.get().name()).collect(Collectors.toSet());
        assertTrue(found.containsAll(TextOps.BUILT_IN), found.toString());
        assertTrue(TextOps.names().containsAll(TextOps.BUILT_IN));
        assertEquals(11, TextOps.BUILT_IN.size());
        for (String name : TextOps.BUILT_IN) {
            assertEquals(name, TextOps.get(name).name());
            assertFalse(TextOps.get(name).description().isBlank());
        }
        assertEquals("unknown op 'nope' (known: " + String.join(", ", TextOps.names()) + ")",
                assertThrows(IllegalArgumentException.class, () -> TextOps.get("nope")).getMessage());
    }

    @Test
    void aJarOnTheClassPathAddsAnOpButCannotReplaceABuiltIn(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(TextOp.class.getName()),
                ReverseWordsOp.class.getName() + "\n" + ReverseWordsOp.Impostor.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Map<String, TextOp> ops = TextOps.load(loader);
            assertTrue(ops.keySet().containsAll(TextOps.BUILT_IN));
            assertInstanceOf(ReverseWordsOp.class, ops.get("test-reverse"));
            assertInstanceOf(SwapOp.class, ops.get("swap"));
            assertEquals("c b a", ops.get("test-reverse").apply("a b c", 1.0, new SplitMix64(0)));
        }
    }

    // ---- presets ----------------------------------------------------------------------------------------

    @Test
    void presetsBuild() {
        assertSame(TextAugmenter.identity(), Augmenters.fromPolicy(AugmentationPolicy.getDefaultInstance()));
        assertSame(TextAugmenter.identity(), Augmenters.fromPolicy(preset("none")));
        assertEquals(List.of("none", "eda", "noise", "eda+noise"), Augmenters.presetNames());
        for (String name : List.of("eda", "noise", "eda+noise")) {
            Policy p = (Policy) Augmenters.fromPolicy(preset(name));
            assertEquals(5, p.viewsPerExample(), name);
            assertTrue(p.keepOriginal(), name);
            assertFalse(p.isIdentity(), name);
            assertEquals(PARAGRAPH, p.view(PARAGRAPH, 1, 0));
            Set<String> distinct = new HashSet<>();
            for (int v = 1; v < p.viewsPerExample(); v++) {
                String view = p.view(PARAGRAPH, 1, v);
                assertNotEquals(PARAGRAPH, view, name + " view " + v);
                assertTrue(view.length() <= p.maxViewLength(PARAGRAPH.length()));
                distinct.add(view);
            }
            assertEquals(4, distinct.size(), name);
        }
        Policy eda = (Policy) Augmenters.fromPolicy(preset("eda"));
        assertEquals(List.of("synonym", "insert", "swap", "delete"),
                eda.steps().stream().map(s -> s.op().name()).toList());
        assertEquals("synonym 0.1, insert 0.1, swap 0.1, delete 0.1; 4 views + original", eda.describe());
        Policy both = (Policy) Augmenters.fromPolicy(preset("eda+noise"));
        assertEquals(8, both.steps().size());
    }

    @Test
    void viewsAndExplicitOpsOverrideThePreset() {
        Policy p = (Policy) Augmenters.fromPolicy(preset("eda").toBuilder().setViews(2).build());
        assertEquals(3, p.viewsPerExample());
        Policy custom = (Policy) Augmenters.fromPolicy(AugmentationPolicy.newBuilder().setPreset("eda")
                .addOps(op("mask", 0.2)).addOps(op("case", 0.1)).build());
        assertEquals(List.of("mask", "case"), custom.steps().stream().map(s -> s.op().name()).toList());
        assertEquals(4, custom.viewsPerExample(), "eda's 4 views, original not kept");
        assertFalse(custom.keepOriginal());
        Policy bare = (Policy) Augmenters.fromPolicy(AugmentationPolicy.newBuilder()
                .addOps(op("typo", 0.05)).setKeepOriginal(true).build());
        assertEquals(2, bare.viewsPerExample(), "1 view by default, plus the original");
        assertEquals("hello", bare.view("hello", 3, 0));
        Policy zero = (Policy) Augmenters.fromPolicy(AugmentationPolicy.newBuilder().addOps(op("typo", 0)).build());
        assertTrue(zero.isIdentity());
    }

    @Test
    void badPoliciesNameTheField() {
        assertEquals("data_budget.augmentation.preset: unknown preset 'x' (known: none, eda, noise, eda+noise)",
                message(preset("x")));
        String known = String.join(", ", TextOps.names());
        assertEquals("data_budget.augmentation.ops[2].name: unknown op 'x' (known: " + known + ")",
                message(AugmentationPolicy.newBuilder().addOps(op("swap", 0.1)).addOps(op("typo", 0.1))
                        .addOps(op("x", 0.1)).build()));
        assertEquals("data_budget.augmentation.ops[0].rate: 1.5 is outside [0, 1]",
                message(AugmentationPolicy.newBuilder().addOps(op("swap", 1.5)).build()));
        assertEquals("data_budget.augmentation.ops[1].rate: -0.1 is outside [0, 1]",
                message(AugmentationPolicy.newBuilder().addOps(op("swap", 0.5)).addOps(op("mask", -0.1)).build()));
        assertEquals("data_budget.augmentation.ops[0].rate: NaN is outside [0, 1]",
                message(AugmentationPolicy.newBuilder().addOps(op("swap", Double.NaN)).build()));
        assertEquals("data_budget.augmentation.views: -1 is negative (0 means the preset's default, else at least 1)",
                message(preset("eda").toBuilder().setViews(-1).build()));
        for (String m : List.of(message(preset("x")), message(preset("eda").toBuilder().setViews(-3).build()))) {
            assertFalse(m.contains("\n"));
        }
    }

    // ---- views ------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(TextArbitraries.unicode(), TextArbitraries.english());
    }

    @Provide
    Arbitrary<String> presets() {
        return Arbitraries.of("eda", "noise", "eda+noise");
    }

    @Property(tries = 200)
    void viewsArePureAndViewZeroIsTheOriginal(@ForAll("presets") String preset, @ForAll("texts") String text,
                                              @ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int view) {
        TextAugmenter a = Augmenters.fromPolicy(preset(preset));
        TextAugmenter b = Augmenters.fromPolicy(preset(preset));
        assertEquals(text, a.view(text, seed, 0));
        String first = a.view(text, seed, view);
        a.view(text, seed + 1, view); // other calls in between change nothing
        assertEquals(first, a.view(text, seed, view));
        assertEquals(first, b.view(text, seed, view));
        assertTrue(first.length() <= ((Policy) a).maxViewLength(text.length()));
    }

    @Test
    void augmentedViewsDoNotDependOnKeepingTheOriginal() {
        AugmentationPolicy.Builder base = AugmentationPolicy.newBuilder().setViews(3)
                .addOps(op("synonym", 0.2)).addOps(op("typo", 0.05));
        TextAugmenter kept = Augmenters.fromPolicy(base.setKeepOriginal(true).build());
        TextAugmenter dropped = Augmenters.fromPolicy(base.setKeepOriginal(false).build());
        assertEquals(4, kept.viewsPerExample());
        assertEquals(3, dropped.viewsPerExample());
        for (int v = 0; v < 3; v++) {
            assertEquals(dropped.view(PARAGRAPH, 42, v), kept.view(PARAGRAPH, 42, v + 1));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> dropped.view(PARAGRAPH, 42, 3));
    }

    @Test
    void threadsAgree() throws Exception {
        TextAugmenter a = Augmenters.fromPolicy(preset("eda+noise"));
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < 50; s++) {
            expected.add(a.view(PARAGRAPH, s, 1 + s % 4));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    List<String> out = new ArrayList<>();
                    for (int s = 0; s < 50; s++) {
                        out.add(a.view(PARAGRAPH, s, 1 + s % 4));
                    }
                    return out;
                }));
            }
            for (Future<List<String>> f : results) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Pins the bytes of a few views. Views are training data: a change here changes every run's data, so it
     * must be deliberate (and noted), never a side effect of refactoring.
     */
    @Test
    void goldenViews() {
        String text = "The quick brown fox jumps over the lazy dog. It was a sunny day!";
        List<String> got = new ArrayList<>();
        for (String preset : List.of("eda", "noise", "eda+noise")) {
            got.add(Augmenters.fromPolicy(preset(preset)).view(text, 20240601L, 1));
        }
        assertEquals(GOLDEN, got);
    }

    static final List<String> GOLDEN = List.of(
            "The quick browned jumps fox over a chase lazy dog. It was the sunny day!",
            "The quick brown fox jus over tje lazy dog. IYt was a sunnh day!",
            "Thr wuic btowned jumps fox over q chase lazy dog. It ws the sujny xay!");

    @Test
    void previewListsTheViews() {
        List<String> views = Preview.preview(preset("eda"), 9, 2, PARAGRAPH);
        assertEquals(3, views.size());
        assertEquals(PARAGRAPH, views.get(0));
        assertEquals(Augmenters.fromPolicy(preset("eda")).view(PARAGRAPH, 9, 2), views.get(2),
                "the number of views does not change a view");
        assertEquals(List.of(PARAGRAPH), Preview.preview(preset("none"), 9, 3, PARAGRAPH));
        assertEquals(5, Preview.preview(preset("noise"), 9, 0, PARAGRAPH).size());
        assertEquals("typo 0.03, char-swap 0.02, char-drop 0.02, char-insert 0.02; 4 views + original",
                Preview.describe(preset("noise")));
        assertThrows(IllegalArgumentException.class, () -> Preview.preview(preset("bogus"), 1, 1, "x"));
    }
}
