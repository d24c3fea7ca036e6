package dev.kiln.spec;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import java.util.List;

/** Small helpers shared by the spec tests. */
public final class Fixtures {
    private Fixtures() {}

    /** A typical Google Cloud Build config, with fields Kiln reads but does not act on. */
    public static final String CLOUD_BUILD_CONFIG = """
            steps:
              - name: gcr.io/cloud-builders/docker
                id: build-image
                args: ['build', '-t', 'gcr.io/$PROJECT_ID/app:$SHORT_SHA', '.']
              - name: gcr.io/cloud-builders/docker
                id: push
                args: ['push', 'gcr.io/$PROJECT_ID/app:$SHORT_SHA']
                waitFor: ['build-image']
              - name: gcr.io/google.com/cloudsdktool/cloud-sdk
                entrypoint: gcloud
                args: ['run', 'deploy', 'app', '--image', 'gcr.io/$PROJECT_ID/app:$SHORT_SHA', '--region', '$_REGION']
                secretEnv: ['API_KEY']
            images:
              - 'gcr.io/$PROJECT_ID/app:$SHORT_SHA'
            substitutions:
              _REGION: europe-west1
            options:
              machineType: E2_HIGHCPU_8
              logging: CLOUD_LOGGING_ONLY
            logsBucket: gs://my-logs
            serviceAccount: projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com
            availableSecrets:
              secretManager:
                - versionName: projects/p/secrets/api-key/versions/latest
                  env: API_KEY
            timeout: 1200s
            """;

    /** Parses {@code yaml} as {@code build.yaml}; fails the test if it is refused. */
    public static BuildSpec parse(String yaml) {
        try {
            return ConfigParser.parse("build.yaml", yaml);
        } catch (ConfigException e) {
            throw new AssertionError("config was refused:\n" + e.getMessage(), e);
        }
    }

    /** Parses {@code yaml} as {@code build.yaml} and returns the problems it was refused for. */
    public static List<ConfigProblem> problems(String yaml) {
        return refused("build.yaml", yaml).problems();
    }

    /** Parses and expects a refusal; fails the test if the config is accepted. */
    public static ConfigException refused(String file, String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigParser.parse(file, text));
        if (e == null) {
            throw new AssertionError("expected the config to be refused:\n" + text);
        }
        return e;
    }

    /** The problems as people see them: {@code file:line:col: message}. */
    public static List<String> lines(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).toList();
    }
}
