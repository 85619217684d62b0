/**
 * Reference-exact prompt rules: how each model family's reference script (Nieysh/RADAR @1cff150) builds the prompt
 * text of a benchmark record per source, places and orders its images, appends and tokenises each candidate, and
 * which draws of Python's global {@code random} it makes ({@link dev.radar.bench.PythonRandom},
 * {@link dev.radar.bench.ReferenceDraws}). {@link dev.radar.scoring.prompt.PromptRules} is the entry
 * point; its {@link dev.radar.scoring.prompt.PromptRules#RULES_VERSION} is recorded with every score. Pure Java:
 * the tokenizer comes in as a {@link dev.radar.scoring.prompt.TextEncoder}, visual-token counts as numbers.
 */
package dev.radar.scoring.prompt;
