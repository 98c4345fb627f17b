package tandem.coordinator;

import tandem.coordinator.optim.FlatOptimizer;
import tandem.proto.EvalPoint;
import tandem.proto.Progress;
import tandem.proto.Summary;

/** Progress lines and summaries of a run, built from its figures. */
final class Reports {
    private Reports() {}

    static Progress progress(TrainingRun run, Pools pools) {
        RunStats stats = run.stats();
        String state;
        if (run.paused()) {
            state = "paused";
        } else if (pools.gpu().isEmpty()) {
            state = "waiting: no GPU workers";
        } else if (pools.data().isEmpty()) {
            state = "waiting: no data workers";
        } else if (!run.initialised()) {
            state = "initialising";
        } else {
            state = "training";
        }
        return Progress.newBuilder()
                .setExperimentId(run.id())
                .setStep(run.step())
                .setMaxSteps(run.spec().getGpuBudget().getMaxSteps())
                .setTrainLoss(stats.lastTrainLoss)
                .setValBitsPerByte(stats.lastValBitsPerByte())
                .setTokensPerSecond(stats.tokensPerSecond())
                .setGpuWorkers(pools.gpu().size()).setDataWorkers(pools.data().size())
                .setTokens(stats.tokens).setLearningRate(stats.learningRate)
                .setEpochs(stats.epochs()).setState(state).setWallSeconds(stats.wallSeconds())
                .setDataStall(stats.dataStall())
                .setUniqueBytes(stats.facts == null ? 0 : stats.facts.getUniqueBytes())
                .setAugmentedViews(stats.augmentedViews)
                .build();
    }

    static Summary summary(TrainingRun run, RunStats stats, FlatOptimizer optimizer, long steps) {
        EvalPoint lastEval = stats.evals.get(stats.evals.size() - 1);
        var budget = run.spec().getGpuBudget();
        String stopReason = steps >= budget.getMaxSteps() ? "max_steps"
                : budget.getMaxTokens() > 0 && stats.tokens >= budget.getMaxTokens() ? "max_tokens" : "max_wall_seconds";
        return Summary.newBuilder()
                .setExperimentId(run.id()).setName(run.spec().getName())
                .setSteps(steps).setTokens(stats.tokens)
                .setWallSeconds(stats.wallSeconds()).setTokensPerSecond(stats.tokensPerSecond())
                .setFinalTrainLoss(stats.recentTrainLoss(20))
                .setFinalValLossNats(lastEval.getValLossNats()).setFinalValBitsPerByte(lastEval.getValBitsPerByte())
                .setEntropyFloorBitsPerByte(stats.facts == null ? Double.NaN : stats.facts.getEntropyFloorBitsPerByte())
                .setParamsSha256(ParamsHash.sha256(optimizer.params()))
                .setParamCount(optimizer.params().length())
                .setStopReason(stopReason)
                .addAllEvals(stats.evals).addAllLosses(stats.losses)
                .setUniqueBytes(stats.facts == null ? 0 : stats.facts.getUniqueBytes())
                .setEpochs(stats.epochs()).setAugmentedViews(stats.augmentedViews)
                .setShardsRedone(stats.shardsRedone).setDuplicateResultsDropped(stats.duplicatesDropped)
                .setBackend(stats.backend)
                .setGpuWorkers(run.gpuWorkers()).setDataWorkers(run.dataWorkers())
                .setDataStall(stats.dataStall())
                .setMeanPrepareMillis(RunStats.meanMillis(stats.prepareNanos, stats.shardsPrepared))
                .setMeanComputeMillis(RunStats.meanMillis(stats.computeNanos, stats.shardsComputed))
                .setResultsRejected(stats.resultsRejected)
                .setFailovers(stats.failovers).setStepsRedone(stats.stepsRedone)
                .setWorkersJoined(stats.workersJoined).setWorkersDrained(stats.workersDrained)
                .setWorkersCrashed(stats.workersCrashed).setWorkersQuarantined(stats.workersQuarantined)
                .build();
    }
}
