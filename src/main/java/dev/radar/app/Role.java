package dev.radar.app;

import java.util.EnumSet;
import java.util.Set;

/** What a RADAR process does; a process may hold several roles (the demo holds all but watch). */
public enum Role {
    /** A single-node KRaft broker in-process (keys broker.port, broker.data.dir). */
    BROKER,
    /** Validates checkpoint events and splits evaluations into shard tasks. */
    PLANNER,
    /** One scoring worker in the consumer group on radar.shard-tasks. */
    SCORER,
    /** The Kafka Streams aggregator and the ability gauges it feeds. */
    AGGREGATOR,
    /** The page and REST API; reads the aggregator's stores, so it needs {@link #AGGREGATOR}. */
    WEB,
    /** Publishes checkpoint events for complete folders under watch.dir. */
    WATCH;

    /** Everything the demo runs in one process. */
    public static Set<Role> demo() {
        return EnumSet.of(BROKER, PLANNER, SCORER, AGGREGATOR, WEB);
    }
}
