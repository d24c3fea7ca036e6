package dev.kiln.spec.config;

import static dev.kiln.spec.config.Shape.anything;
import static dev.kiln.spec.config.Shape.choice;
import static dev.kiln.spec.config.Shape.flag;
import static dev.kiln.spec.config.Shape.listOf;
import static dev.kiln.spec.config.Shape.mapOf;
import static dev.kiln.spec.config.Shape.message;
import static dev.kiln.spec.config.Shape.path;
import static dev.kiln.spec.config.Shape.text;
import static dev.kiln.spec.config.Shape.whole;

import java.util.List;

/**
 * The Cloud Build fields Kiln reads but does not act on, with the type Cloud Build's build
 * resource (google.devtools.cloudbuild.v1) gives each: Kiln warns that it ignores them, and still
 * refuses a value Cloud Build would refuse, so a config that passes here passes there too. Fields
 * marked {@code anything()} are not Cloud Build's; Kiln has let them by since before it checked.
 */
final class IgnoredFields {
    private IgnoredFields() {}

    /** Top-level fields of the build, other than those Kiln acts on. */
    static final Shape.Message TOP = message(
            "secrets", listOf(message("kmsKeyName", text(), "secretEnv", mapOf(text()))),
            "logsBucket", text(),
            "serviceAccount", text(),
            "projectId", text(),
            "name", text(),
            "source", anything(),
            "dependencies", anything(),
            "gitConfig", anything(),
            "serviceAccountEmail", anything(),
            "logging", anything(),
            "pool", anything(),
            "gates", anything(),
            "defaultLogsBucketBehavior", anything());

    /**
     * {@code availableSecrets}: Kiln acts on {@code secretManager} (naming Kiln secrets), not on
     * {@code inline} (KMS ciphertexts); the whole is checked against Cloud Build's types.
     */
    static final Shape.Message AVAILABLE_SECRETS = message(
            "availableSecrets", message(
                    "secretManager", listOf(message("versionName", text(), "env", text())),
                    "inline", listOf(message("kmsKeyName", text(), "envMap", mapOf(text())))));

    /** Fields of a step Kiln does not act on. */
    static final Shape.Message STEP = message(
            "automapSubstitutions", flag(),
            "cache", anything());

    /** Fields of {@code options} Kiln does not act on. */
    static final Shape.Message OPTIONS = message(
            "machineType", choice("UNSPECIFIED", "N1_HIGHCPU_8", "N1_HIGHCPU_32", "E2_HIGHCPU_8", "E2_HIGHCPU_32",
                    "E2_MEDIUM", "E2_STANDARD_2"),
            "logging", choice("LOGGING_UNSPECIFIED", "LEGACY", "GCS_ONLY", "STACKDRIVER_ONLY", "CLOUD_LOGGING_ONLY",
                    "NONE"),
            "diskSizeGb", whole(),
            "logStreamingOption", choice("STREAM_DEFAULT", "STREAM_ON", "STREAM_OFF"),
            "requestedVerifyOption", choice("NOT_VERIFIED", "VERIFIED"),
            "sourceProvenanceHash", listOf(choice("NONE", "SHA256", "MD5", "GO_MODULE_H1", "SHA512")),
            "automapSubstitutions", flag(),
            "enableStructuredLogging", flag(),
            "defaultLogsBucketBehavior", choice("DEFAULT_LOGS_BUCKET_BEHAVIOR_UNSPECIFIED",
                    "REGIONAL_USER_OWNED_BUCKET", "LEGACY_BUCKET"),
            "workerPool", text(),
            "secretEnv", listOf(text()),
            "pubsubTopic", text(),
            "retries", anything());

    /** {@code artifacts}: Kiln stores {@code objects} and ignores the rest; its paths lie in the workspace. */
    static final Shape.Message ARTIFACTS = message(
            "images", listOf(text()),
            "objects", message("location", text(), "paths", listOf(path())),
            "mavenArtifacts", listOf(message("repository", text(), "path", path(), "artifactId", text(),
                    "groupId", text(), "version", text(), "deployFolder", path())),
            "pythonPackages", listOf(message("repository", text(), "paths", listOf(path()))),
            "npmPackages", listOf(message("repository", text(), "packagePath", path())),
            "goModules", listOf(message("repositoryName", text(), "repositoryLocation", text(),
                    "repositoryProjectId", text(), "sourcePath", path(), "modulePath", text(),
                    "moduleVersion", text())));

    /** The names of {@code message}'s fields, for {@link NodeReader#fields}. */
    static List<String> names(Shape.Message message) {
        return message.names();
    }
}
