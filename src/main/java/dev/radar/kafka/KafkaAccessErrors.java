package dev.radar.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Recognises the broker's refusals of a client's identity or rights (wrong SASL credentials, missing ACLs): failures
 * that no retry and no new thread can fix, only a change of the {@code kafka.*} settings or of the cluster.
 */
public final class KafkaAccessErrors {
    private KafkaAccessErrors() {
    }

    /** True when {@code e} or one of its causes is an authentication or authorization failure. */
    public static boolean isAccessDenied(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }
}
