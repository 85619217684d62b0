package dev.radar.scoring.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.radar.checkpoint.CheckpointContent;
import dev.radar.checkpoint.CheckpointException;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.checkpoint.HfCheckpoint;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.prompt.TextEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A loaded scoring package: radar-model.json, tokenizer.json (Hugging Face tokenizer) and the TorchScript
 * modules (DJL PyTorch engine, NoopTranslator) of its contract: model.pt (contract 1), or vision.pt and
 * language.pt on the same device plus the family's prompt rules and image processor (contract 2). Every file is
 * looked up in the package directory itself, so each checkpoint directory is self-contained. A raw Hugging Face
 * checkpoint folder (config.json + safetensors) is loaded as its matching architecture package
 * ({@code scoring.architectures}) with the parameters replaced from the folder's safetensors
 * ({@link CheckpointWeights}); its own tokenizer.json is used when it has one. Loading is thread-safe; one forward
 * at a time per instance.
 */
public final class ScoringModel implements AutoCloseable {

    public static final String MODEL_FILE = "model.pt";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String VISION_FILE = "vision.pt";
    public static final String LANGUAGE_FILE = "language.pt";
    /** Engine initialisation (native library unpack and load) must happen once, not concurrently. */
    private static final Object LOAD_LOCK = new Object();

    private final Path dir;
    private final ModelConfig config;
    private final HuggingFaceTokenizer tokenizer;
    /** Contract 1: model.pt; contract 2: language.pt (the module whose manager owns a batch's tensors). */
    private final ZooModel<NDList, NDList> model;
    /** Contract 2 only: vision.pt. */
    private final ZooModel<NDList, NDList> vision;
    /** Contract 2 only: the family's prompt rules and image processor. */
    private final FamilyRules rules;
    private final int imageTokenId;
    private final int padTokenId;
    private final String promptRulesVersion;

    private ScoringModel(Path dir, ModelConfig config, HuggingFaceTokenizer tokenizer, ZooModel<NDList, NDList> model,
                         ZooModel<NDList, NDList> vision, FamilyRules rules, int imageTokenId, int padTokenId) {
        this.dir = dir;
        this.config = config;
        this.tokenizer = tokenizer;
        this.model = model;
        this.vision = vision;
        this.rules = rules;
        this.imageTokenId = imageTokenId;
        this.padTokenId = padTokenId;
        this.promptRulesVersion = rules != null ? rules.version() : templateVersion(config);
    }

    /** Loads the package in {@code dir} for {@code cfg}'s device and dtype. */
    public static ScoringModel load(Path dir, ScoringConfig cfg) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("scoring package directory not found: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve(ModelConfig.FILE)) && HfCheckpoint.looksLikeOne(dir)) {
            return loadRaw(dir, cfg);
        }
        ModelConfig config = readConfig(dir, cfg);
        return config.realArchitecture()
                ? loadContract2(dir, dir, config, cfg, dir.resolve(TOKENIZER_FILE), false)
                : loadContract1(dir, config, cfg);
    }

    private static ModelConfig readConfig(Path packageDir, ScoringConfig cfg) {
        ModelConfig config = ModelConfig.read(packageDir.resolve(ModelConfig.FILE));
        if (!cfg.dtype().equals("auto") && !cfg.dtype().equals(config.dtype())) {
            throw new ModelLoadException("scoring.dtype=" + cfg.dtype() + " but " + packageDir.resolve(ModelConfig.FILE)
                    + " says the modules were exported as " + config.dtype() + "; re-export with --dtype " + cfg.dtype());
        }
        return config;
    }

    /** A raw Hugging Face checkpoint: its architecture package's modules, its own weights. */
    private static ScoringModel loadRaw(Path dir, ScoringConfig cfg) {
        CheckpointContent.RawCheckpoint raw;
        try {
            raw = (CheckpointContent.RawCheckpoint) CheckpointValidator.inspect(dir, cfg.architectures());
        } catch (CheckpointException e) {
            throw new ModelLoadException(e.reason() + ": " + e.getMessage(), e);
        }
        Path pkg = raw.architecture().dir();
        ModelConfig config = readConfig(pkg, cfg);
        JsonNode weights = CheckpointWeights.section(pkg);
        Path ownTokenizer = dir.resolve(TOKENIZER_FILE);
        ScoringModel m = loadContract2(dir, pkg, config, cfg,
                Files.isRegularFile(ownTokenizer) ? ownTokenizer : pkg.resolve(TOKENIZER_FILE), true);
        try {
            CheckpointWeights.replace(m.vision, "vision", weights, raw.checkpoint());
            CheckpointWeights.replace(m.model, "language", weights, raw.checkpoint());
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static ScoringModel loadContract1(Path dir, ModelConfig config, ScoringConfig cfg) {
        Path modelFile = requireFile(dir, MODEL_FILE);
        HuggingFaceTokenizer tokenizer = loadTokenizer(dir.resolve(TOKENIZER_FILE));
        try {
            int imageId = placeholderId(tokenizer, config, dir.resolve(TOKENIZER_FILE));
            ZooModel<NDList, NDList> model = loadTorchScript(modelFile, cfg.device(), false);
            // Padding positions are masked out; their id only has to differ from the image placeholder's.
            return new ScoringModel(dir, config, tokenizer, model, null, null, imageId, imageId == 0 ? 1 : 0);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Contract 2: vision.pt and language.pt of {@code packageDir} on scoring.device, the project's rules for the
     * package's family; {@code dir} is the checkpoint scored (the package itself, or a raw checkpoint).
     */
    private static ScoringModel loadContract2(Path dir, Path packageDir, ModelConfig config, ScoringConfig cfg,
                                              Path tokenizerFile, boolean replaceableWeights) {
        Path visionFile = requireFile(packageDir, VISION_FILE);
        Path languageFile = requireFile(packageDir, LANGUAGE_FILE);
        HuggingFaceTokenizer tokenizer = loadTokenizer(tokenizerFile);
        ZooModel<NDList, NDList> vision = null;
        try {
            FamilyRules family = ProjectFamilyRules.forConfig(config, packageDir.resolve(ModelConfig.FILE),
                    tokenizerEncoder(tokenizer));
            vision = loadTorchScript(visionFile, cfg.device(), replaceableWeights);
            ZooModel<NDList, NDList> language = loadTorchScript(languageFile, cfg.device(), replaceableWeights);
            return new ScoringModel(dir, config, tokenizer, language, vision, family, config.imageTokenId(),
                    config.padTokenId());
        } catch (RuntimeException e) {
            if (vision != null) {
                vision.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    private static Path requireFile(Path dir, String name) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + name + ": " + file);
        }
        return file;
    }

    private static TextEncoder tokenizerEncoder(HuggingFaceTokenizer tokenizer) {
        return text -> toInts(tokenizer.encode(text, false, false).getIds());
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    private static HuggingFaceTokenizer loadTokenizer(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + TOKENIZER_FILE + ": " + file);
        }
        ensureOffline();
        try {
            // Explicit: no special tokens added (the template carries them), no truncation, no padding.
            return HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                    .optTruncation(false).optPadding(false).build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static int placeholderId(HuggingFaceTokenizer tokenizer, ModelConfig config, Path file) {
        Encoding enc = tokenizer.encode(config.imagePlaceholder(), false, false);
        long[] ids = enc.getIds();
        String[] toks = enc.getTokens();
        if (ids.length != 1 || !config.imagePlaceholder().equals(toks[0])) {
            throw new ModelLoadException(file + " does not have the image placeholder token '"
                    + config.imagePlaceholder() + "' of radar-model.json as a single token (it encodes to "
                    + java.util.Arrays.toString(toks) + ")");
        }
        return (int) ids[0];
    }

    /**
     * @param replaceableWeights load the parameters as ordinary tensors (DJL's trainParam), not inference tensors,
     *                           which libtorch never lets anyone overwrite in place; forwards still run without
     *                           autograd
     */
    private static ZooModel<NDList, NDList> loadTorchScript(Path modelFile, String deviceName,
                                                            boolean replaceableWeights) {
        ensureOffline();
        Device device = device(deviceName);
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                // Directory + name (not the file itself): DJL then loads <dir>/model.pt without a repository warning.
                .optModelPath(modelFile.getParent())
                .optModelName(modelFile.getFileName().toString().replaceFirst("\\.pt$", ""))
                .optEngine("PyTorch")
                .optDevice(device)
                .optTranslator(new NoopTranslator())
                .optOption("trainParam", Boolean.toString(replaceableWeights))
                .build();
        synchronized (LOAD_LOCK) {
            try {
                return criteria.loadModel();
            } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
                throw new ModelLoadException("cannot load " + modelFile + " (corrupt or not TorchScript?): "
                        + rootMessage(e), e);
            }
        }
    }

    /**
     * The project never downloads at run time: the natives come from Maven, models from the package. And batch
     * shapes change with every batch, so TorchScript's profiling executor would keep re-specialising the graph:
     * turn the graph optimizer off unless the user chose otherwise (measured: packed about 2x faster on CPU).
     */
    private static void ensureOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        }
    }

    /** The DJL device that scoring.device names: cpu, gpu, gpuN or gpu:N (DJL itself does not parse gpu:N). */
    static Device device(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        try {
            return Device.fromName(n.matches("gpu:\\d+") ? "gpu" + n.substring(4) : n);
        } catch (RuntimeException e) {
            throw new ModelLoadException("unknown scoring.device '" + name + "' (cpu, gpu or gpu:N)", e);
        }
    }

    /**
     * Whether models can be loaded onto scoring.device at all, without any checkpoint: the PyTorch engine starts (its
     * natives load) and a tensor can be made on the device (a GPU device needs CUDA natives, a driver and the GPU).
     */
    static void checkDevice(String deviceName) {
        ensureOffline();
        Device device = device(deviceName);
        synchronized (LOAD_LOCK) {
            try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
                m.zeros(new Shape(1));
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                String why = rootMessage(e);
                throw new ModelLoadException("scoring.device '" + deviceName + "' cannot be used: "
                        + (why.length() > 200 ? why.substring(0, 200) + "..." : why), e);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /** Token ids of {@code text} exactly as tokenizer.json assigns them (no special tokens added). */
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    /** Runs model.pt on inputs attached to {@code manager}; outputs are attached to the same manager. */
    NDList forward(NDManager manager, NDList inputs) {
        return model.getBlock().forward(new ParameterStore(manager, false), inputs, false);
    }

    /** Contract 2: runs language.pt. */
    NDList forwardLanguage(NDManager manager, NDList inputs) {
        return forward(manager, inputs);
    }

    /** Contract 2: runs vision.pt on inputs attached to {@code manager}. */
    NDList forwardVision(NDManager manager, NDList inputs) {
        return vision.getBlock().forward(new ParameterStore(manager, false), inputs, false);
    }

    /** Contract 2: the family's prompt rules and image processor; null for contract 1. */
    FamilyRules rules() {
        return rules;
    }

    /**
     * The prompt-rules version recorded with every score: contract 2 the rules' own version; contract 1 the
     * family and a digest of the package's template strings, so that a changed template is visible.
     */
    public String promptRulesVersion() {
        return promptRulesVersion;
    }

    /** Contract 1's version: worked out once per load, not per score. */
    private static String templateVersion(ModelConfig config) {
        ModelConfig.Prompt p = config.prompt();
        String text = p.template() + "\u0000" + p.image() + "\u0000" + p.answer() + "\u0000"
                + config.imagePlaceholder() + "\u0000" + config.tokensPerImage();
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return config.family() + "/template-" + java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    public ModelConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    public int imageTokenId() {
        return imageTokenId;
    }

    public int padTokenId() {
        return padTokenId;
    }

    @Override
    public void close() {
        model.close();
        if (vision != null) {
            vision.close();
        }
        tokenizer.close();
    }
}
