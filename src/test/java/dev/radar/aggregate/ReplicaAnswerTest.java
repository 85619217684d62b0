package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one replica answers another, before any broker is involved. */
class ReplicaAnswerTest {

    @Test
    void aReplicaThatIsNotRunningAnswersNothingSoTheAskerUsesItsStandbys() {
        AggregatorService notStarted = new AggregatorService(KafkaSettings.of("127.0.0.1:9"),
                AggregatorConfig.from(RadarProperties.of(Map.of("aggregator.replica.endpoint", "127.0.0.1:8080"))));
        assertEquals(Optional.empty(), notStarted.replicaAnswer("runs", null));
        assertEquals(Optional.empty(), notStarted.replicaAnswer("reports", "run-1"));
    }

    @Test
    void everyListedQueryIsAnsweredAndAnUnknownOneOrAMissingRunIsTheAskersMistake() {
        StoreQueries empty = new StoreQueries(name -> null);
        for (String query : AggregatorService.REPLICA_QUERIES) {
            byte[] answer = ReplicaCodec.answer(empty, query, "run-1");
            assertTrue(answer.length > 0 || query.equals("curves-version"), query);
        }
        assertEquals(List.of(), ReplicaCodec.decodeRuns(ReplicaCodec.answer(empty, "runs", null)));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ReplicaCodec.answer(empty, "seen", "run-1"));
        assertTrue(unknown.getMessage().contains("unknown replica query 'seen'"), unknown.getMessage());
        IllegalArgumentException noRun = assertThrows(IllegalArgumentException.class,
                () -> ReplicaCodec.answer(empty, "reports", null));
        assertTrue(noRun.getMessage().contains("needs the parameter run"), noRun.getMessage());
    }
}
