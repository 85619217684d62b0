/**
 * Benchmark data for RADAR: reading M3-Bench, its task taxonomy, content versions, shard plans, importers from
 * public formats and the synthetic benchmark. Pure Java; nothing here talks to Kafka.
 *
 * <h2>Layout</h2>
 * A benchmark root holds one folder per source (e.g. {@code general_visual_question_answering},
 * {@code mathematical_reasoning}, {@code Wiki_animal_identification}, {@code synthetic}; any name is accepted),
 * each with {@code images/} and task files {@code {Source}_{category}_{N}_pretrained_mllm_eval.json} (the
 * category may be absent, as in {@code MathVista_1000_...}). A task file is a JSON object keyed by question id;
 * each value is {@code {question, answer, distraction: [..], img_num?, ori_options?}}. The task is the file name
 * without {@code _{N}_pretrained_mllm_eval.json}; the source is the task up to its first '_' (except
 * {@code MMMU_Pro}). Candidates are the answer followed by the distractions.
 *
 * <h2>Images</h2>
 * MMBench {@code images/{category}/{q_id}.jpg}; MMMU-Pro {@code images/{category}/{q_id}_image_{k}.png} for
 * each {@code <image k>} tag of the question in question order, then, where {@code ori_options} holds a tag (image
 * options), each option's tags in candidate order, as the reference scripts load them (img_num is not used);
 * SeePhys {@code images/{id}_{i}.png} (counting from 0 or 1, whichever exists); all others
 * {@code images/{id}.jpg} (or {@code images/{id}_{i}.jpg} when img_num &gt; 1), where id is the question id up
 * to its first {@code --}. img_num defaults to 1; 0 means a text-only question. Samples keep the record's raw
 * question, candidates and {@code ori_options} ({@link dev.radar.bench.BenchSample.Reference}); the per-family
 * prompt, MMMU-Pro's inline images and lettered, shuffled image options are {@code dev.radar.scoring.prompt}'s.
 * MMMU-Pro samples also carry the outcome of the reference's {@code random} draws ({@link dev.radar.bench.ReferenceDraws},
 * with Python's generator in {@link dev.radar.bench.PythonRandom}), replayed over all MMMU-Pro files of the root
 * (file names sorted, then question ids in file order), so that any shard gets the same draw. They live here, not
 * with the prompt rules, because the reader replays them; the prompt rules only read the outcome.
 *
 * <h2>Problems, not exceptions</h2>
 * A malformed file, a missing image, an answer repeated among the distractors, a blank question or candidate,
 * fewer than two candidates, or more than 12 images (MMMU-Pro: question and option images together) each skip
 * the question and add a {@link dev.radar.bench.BenchProblem}; the rest loads. Only a missing or unreadable root
 * (or a task without ability in the taxonomy) throws {@link dev.radar.RadarException}.
 *
 * <h2>Versions and shards</h2>
 * {@link dev.radar.bench.Benchmark#version()} hashes content only (tasks, ids, questions, candidates, image
 * bytes), never the taxonomy or timestamps, so scores of two versions never mix. The version and image digests
 * are cached in {@code root/.radar/version.json}; shard plans ({@link dev.radar.bench.ShardPlan}) are written to
 * {@code root/.radar/shards-{version}-{N}.json} so that {@link dev.radar.bench.Benchmark#loadShard} reads only
 * one shard's files.
 */
package dev.radar.bench;
