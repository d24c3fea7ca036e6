package dev.kiln.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.config.ConfigParser;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    @TempDir Path tmp;

    @Test
    void the_names_in_help_and_errors_are_the_ones_looked_for_in_that_order() {
        assertThat(ConfigFiles.DEFAULT_NAMES).isEqualTo(String.join(", ", ConfigParser.DEFAULT_FILES));
    }

    @Test
    void a_directory_without_a_config_names_every_default_and_the_option() {
        assertThatThrownBy(() -> ConfigFiles.find(tmp, null)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(tmp + ": none of " + ConfigFiles.DEFAULT_NAMES + " (name another with --config FILE)");
    }
}
