package dev.radar.bench;

import java.util.Objects;

/**
 * The ability a task measures, as assigned by a {@link Taxonomy}.
 *
 * @param task        task name ({@code {Source}_{category}})
 * @param source      benchmark source, as in {@link BenchSample#source()}
 * @param ability     {@code perception} or {@code reasoning}
 * @param fineAbility finer ability, e.g. {@code identification} or {@code spatial_reasoning}
 */
public record TaskAbility(String task, String source, String ability, String fineAbility) {
    public static final String PERCEPTION = "perception";
    public static final String REASONING = "reasoning";

    public TaskAbility {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(ability, "ability");
        Objects.requireNonNull(fineAbility, "fineAbility");
    }
}
