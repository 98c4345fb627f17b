package tandem.gpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.gpu.backend.Nd4jBackend;
import tandem.gpu.model.LanguageModel;
import tandem.gpu.model.Models;
import tandem.protocol.FloatVectors;
import tandem.proto.ExperimentSpec;
import tandem.proto.FloatVector;

/** One experiment's model on this worker: the network, the params version it holds, a gradient buffer. */
final class Replica implements AutoCloseable {
    final String experimentId;
    final LanguageModel model;
    final INDArray params;
    final INDArray grad;
    long version = -1;

    Replica(String experimentId, ExperimentSpec spec) {
        Nd4jBackend.configure(spec.getRuntime().getNd4JThreads());
        this.experimentId = experimentId;
        this.model = Models.create(spec.getModel());
        this.params = Nd4j.createUninitialized(DataType.FLOAT, model.paramCount());
        this.grad = Nd4j.createUninitialized(DataType.FLOAT, model.paramCount());
    }

    /** Loads params {@code version} from the wire. */
    void load(FloatVector vector, long version) {
        FloatVectors.copyInto(vector, params.data().asNio(), params.length());
        model.setParams(params);
        this.version = version;
    }

    FloatVector gradOnWire() {
        return FloatVectors.of(grad.data().asNio(), grad.length());
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
