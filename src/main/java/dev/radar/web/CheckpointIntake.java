package dev.radar.web;

import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.DeadLetters;
import dev.radar.checkpoint.CheckpointValidator;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/checkpoints} after authentication and parsing: the event is checked with the planner's rules
 * ({@link CheckpointValidator}) before it is published, so a training job learns at once that its checkpoint will
 * not be evaluated. A rejected event answers 422 with the reason and also becomes one dead letter (component
 * {@code web}, keyed run/step) so the failure shows on the page for that run and step, as a planner rejection does.
 */
final class CheckpointIntake {
    static final String COMPONENT = "web";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointIntake.class);

    private final CheckpointValidator validator;
    private final CheckpointPublisher publisher;

    CheckpointIntake(CheckpointValidator validator, CheckpointPublisher publisher) {
        this.validator = validator;
        this.publisher = publisher;
    }

    ApiRoutes.Answer accept(CheckpointSaved event) {
        Optional<CheckpointValidator.Rejection> rejection = validator.check(event);
        if (rejection.isPresent()) {
            CheckpointValidator.Rejection r = rejection.get();
            boolean recorded = recordRejection(event, r);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", r.reason() + ": " + r.detail());
            body.put("reason", r.reason());
            body.put("detail", r.detail());
            body.put("runId", event.getRunId());
            body.put("step", event.getStep());
            body.put("deadLettered", recorded);
            return new ApiRoutes.Answer(422, body);
        }
        RecordMetadata md = publisher.publish(event);
        return new ApiRoutes.Answer(202, Map.of("published", true, "runId", event.getRunId(), "step", event.getStep(),
                "topic", md.topic(), "partition", md.partition(), "offset", md.offset()));
    }

    /** The dead letter of a rejection; a run id is needed to show it anywhere, so none is written without one. */
    private boolean recordRejection(CheckpointSaved event, CheckpointValidator.Rejection r) {
        if (event.getRunId() == null || event.getRunId().isBlank()) {
            return false;
        }
        DeadLetter letter = DeadLetters.of(COMPONENT, "POST /api/checkpoints", r.reason(), r.detail())
                .setRunId(event.getRunId()).setStep(event.getStep()).build();
        try {
            publisher.deadLetter(event.getRunId(), event.getStep(), letter);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("rejection of {} step {} not dead-lettered: {}", event.getRunId(), event.getStep(), e.toString());
            return false;
        }
    }
}
