package tandem.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import tandem.data.plan.DataPlan;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ExperimentSpec;
import tandem.proto.ModelSpec;

/**
 * What a JVM user would write instead of tandem: DL4J's MultiLayerNetwork with the closest equivalent of
 * tandem's MLP-over-context model, trained on one thread, or data-parallel with {@link ParallelWrapper}.
 *
 * <p>The network predicts byte {@code p + 1} from bytes {@code p, p-1, ..., p-K+1} (most recent first,
 * bytes before the window's start are byte 0): {@code EmbeddingSequenceLayer(256 -> E, K inputs)}, flattened
 * to {@code K E}, {@code Dense(H, ReLU)}, {@code Output(256, softmax, MCXENT)}. Same parameter count as
 * tandem's MLP ({@code 256E + KEH + H + 256H + 256}), same samples per update, Adam with the spec's LR.
 */
final class Dl4jPeer {
    private static final int POOL = 8;

    private final ExperimentSpec spec;
    private final PrintStream log;
    private final int k;
    private final int samplesPerUpdate;
    private final int workers = 2;
    private final List<DataSet> whole = new ArrayList<>();
    private final List<DataSet> halves = new ArrayList<>();
    private ParallelWrapper wrapper;
    private MultiLayerNetwork singleNet;
    private long params;

    Dl4jPeer(ExperimentSpec spec, PrintStream log) throws Exception {
        this.spec = spec;
        this.log = log;
        ModelSpec m = spec.getModel();
        this.k = Math.min(m.getContext(), Flops.MLP_MAX_WINDOW);
        this.samplesPerUpdate = spec.getBatch().getGlobalBatch() * m.getContext();
        Nd4jBackend.configure(spec.getRuntime().getNd4JThreads());
        // Pre-built batches from the same data plan, cycled: DL4J pays no data cost here.
        DataPlan plan = DataPlan.build(spec);
        int shards = spec.getBatch().getShards();
        for (int step = 0; step < POOL; step++) {
            List<byte[]> rows = new ArrayList<>();
            int cols = m.getContext() + 1;
            for (int s = 0; s < shards; s++) {
                var batch = plan.trainShard(step, s).batch();
                byte[] tokens = batch.getTokens().toByteArray();
                for (int r = 0; r < batch.getRows(); r++) {
                    byte[] row = new byte[cols];
                    System.arraycopy(tokens, r * cols, row, 0, cols);
                    rows.add(row);
                }
            }
            whole.add(dataSet(rows, 0, rows.size()));
            halves.add(dataSet(rows, 0, rows.size() / 2));
            halves.add(dataSet(rows, rows.size() / 2, rows.size()));
        }
    }

    /** Features {@code [N, K]} (byte indices as floats), labels {@code [N, 256]} one-hot; N = rows x context. */
    private DataSet dataSet(List<byte[]> rows, int from, int to) {
        int context = spec.getModel().getContext();
        int n = (to - from) * context;
        float[] features = new float[n * k];
        float[] labels = new float[n * Flops.VOCAB];
        int i = 0;
        for (int r = from; r < to; r++) {
            byte[] row = rows.get(r);
            for (int p = 0; p < context; p++, i++) {
                for (int back = 0; back < k; back++) {
                    features[i * k + back] = p - back >= 0 ? row[p - back] & 0xFF : 0;
                }
                labels[i * Flops.VOCAB + (row[p + 1] & 0xFF)] = 1f;
            }
        }
        return new DataSet(Nd4j.create(features, new long[] {n, k}, 'c'), Nd4j.create(labels, new long[] {n, Flops.VOCAB}, 'c'));
    }

    private MultiLayerNetwork network() {
        ModelSpec m = spec.getModel();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(spec.getSeed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(spec.getOptimizer().getLearningRate()))
                .weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(0, new EmbeddingSequenceLayer.Builder().nIn(Flops.VOCAB).nOut(m.getMlpEmbed())
                        .inputLength(k).hasBias(false).build())
                .layer(1, new DenseLayer.Builder().nIn((long) k * m.getMlpEmbed()).nOut(m.getMlpHidden())
                        .activation(Activation.RELU).build())
                .layer(2, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(m.getMlpHidden())
                        .nOut(Flops.VOCAB).activation(Activation.SOFTMAX).build())
                .inputPreProcessor(1, new Flatten(m.getMlpEmbed(), k))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        params = net.numParams();
        return net;
    }

    long dl4jParams() {
        if (params == 0) {
            network();
        }
        return params;
    }

    int perWorkerBatch() {
        return samplesPerUpdate / workers;
    }

    /** ParallelWrapper, 2 workers, params averaged after every iteration: samples/s over {@code updates} updates. */
    double parallelWrapper(long updates) {
        if (wrapper == null) {
            wrapper = new ParallelWrapper.Builder<>(network())
                    .workers(workers)
                    .prefetchBuffer(4)
                    .averagingFrequency(1)
                    .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                    .workspaceMode(WorkspaceMode.ENABLED)
                    .reportScoreAfterAveraging(false)
                    .build();
        }
        List<DataSet> batches = new ArrayList<>();
        for (long i = 0; i < updates * workers; i++) {
            batches.add(halves.get((int) (i % halves.size())));
        }
        long start = System.nanoTime();
        wrapper.fit(new ExistingDataSetIterator(batches));
        double seconds = (System.nanoTime() - start) / 1e9;
        return updates * (double) samplesPerUpdate / seconds;
    }

    /** MultiLayerNetwork.fit on this thread: samples/s over {@code updates} updates. */
    double single(long updates) {
        if (singleNet == null) {
            singleNet = network();
        }
        long start = System.nanoTime();
        for (long i = 0; i < updates; i++) {
            singleNet.fit(whole.get((int) (i % whole.size())));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return updates * (double) samplesPerUpdate / seconds;
    }

    /** {@code [mb, E, K]} (the embedding layer's NCW output) to {@code [mb, E K]} and back. */
    public static final class Flatten implements InputPreProcessor {
        private static final long serialVersionUID = 1L;
        private long embed;
        private long length;

        public Flatten() {}

        Flatten(long embed, long length) {
            this.embed = embed;
            this.length = length;
        }

        public long getEmbed() {
            return embed;
        }

        public void setEmbed(long embed) {
            this.embed = embed;
        }

        public long getLength() {
            return length;
        }

        public void setLength(long length) {
            this.length = length;
        }

        @Override
        public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
            INDArray in = input.ordering() == 'c' && input.isView() == false ? input : input.dup('c');
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, in.reshape('c', input.size(0), embed * length));
        }

        @Override
        public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
            INDArray eps = output.ordering() == 'c' && output.isView() == false ? output : output.dup('c');
            return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, eps.reshape('c', output.size(0), embed, length));
        }

        @Override
        public InputPreProcessor clone() {
            return new Flatten(embed, length);
        }

        @Override
        public InputType getOutputType(InputType inputType) {
            return InputType.feedForward(embed * length);
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
            return new Pair<>(null, currentMaskState);
        }
    }
}
