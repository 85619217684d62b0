package dev.radar.scoring.worker;

import dev.radar.bench.BenchSample;
import dev.radar.bench.TaskAbility;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import dev.radar.scoring.SampleResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Result-to-event mapping: one SampleScore per scored sample of a shard task. */
final class ScoreEvents {
    private ScoreEvents() {
    }

    static List<SampleScore> of(ShardTask task, ShardOutcome.Scored scored, String scorerId, long scoredAtMs) {
        List<SampleResult> results = scored.results();
        List<SampleScore> scores = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            SampleResult res = results.get(i);
            BenchSample sample = scored.shard().samples().get(i);
            TaskAbility ability = scored.shard().abilityOf(sample.task());
            scores.add(SampleScore.newBuilder()
                    .setEvaluationId(task.getEvaluationId()).setRunId(task.getRunId()).setStep(task.getStep())
                    .setTokensSeen(task.getTokensSeen()).setBenchmarkVersion(task.getBenchmarkVersion())
                    .setTask(sample.task()).setSource(ability.source()).setAbility(ability.ability())
                    .setFineAbility(ability.fineAbility()).setSampleId(sample.id()).setShardIndex(task.getShardIndex())
                    .setSds(res.success() ? res.sds() : 0.0).setCorrect(res.correct())
                    .setLlCorrect(res.llCorrect()).setLlNormCorrect(res.llNormCorrect())
                    .setCandidateMeanLogits(Arrays.stream(res.meanLogits()).boxed().toList())
                    .setCandidateTokenCounts(Arrays.stream(res.tokenCounts()).boxed().toList())
                    .setFailure(res.failure()).setScorerId(scorerId).setScoreMillis(res.millis())
                    .setScoredAtMs(scoredAtMs).setPromptRules(scored.promptRules()).build());
        }
        return scores;
    }

    static String label(ShardTask t) {
        return t.getEvaluationId() + "#" + t.getShardIndex() + "/" + t.getShardCount();
    }
}
