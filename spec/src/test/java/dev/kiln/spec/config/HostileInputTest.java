package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.problems;
import static dev.kiln.spec.Fixtures.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configs written to hurt the server: each must be refused quickly, with a message, and without running out of memory. */
class HostileInputTest {
    private static final Duration QUICKLY = Duration.ofSeconds(3);

    @Test
    void a_billion_laughs_yaml_bomb_is_refused_quickly() {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            String prev = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [")
                    .append(String.join(",", prev, prev, prev, prev, prev, prev, prev, prev, prev)).append("]\n");
        }
        bomb.append("steps:\n  - args: *i\n");

        List<ConfigProblem> problems = assertTimeoutPreemptively(QUICKLY, () -> problems(bomb.toString()));

        // the third *c on line 4 is the 21st alias of a list: the limit is 20
        assertThat(lines(problems)).singleElement().asString().startsWith("build.yaml:4:14: invalid YAML:").contains("aliases");
    }

    @Test
    void a_bomb_that_doubles_a_list_through_a_few_aliases_at_a_time_is_refused_quickly() {
        StringBuilder bomb = new StringBuilder("x0: &x0 [lol, lol]\n");
        for (int i = 1; i <= 30; i++) {
            bomb.append("x").append(i).append(": &x").append(i).append(" [*x").append(i - 1).append(", *x").append(i - 1).append("]\n");
        }
        bomb.append("steps:\n  - args: *x30\n");

        List<ConfigProblem> problems = assertTimeoutPreemptively(QUICKLY, () -> problems(bomb.toString()));

        assertThat(lines(problems)).singleElement().asString().startsWith("build.yaml:12:12: invalid YAML:").contains("aliases");
    }

    @Test
    void one_long_value_repeated_by_scalar_aliases_is_refused_quickly() {
        // 0.5 MB of text that would stand for 1.5 GB of arguments.
        StringBuilder bomb = new StringBuilder("steps:\n  - args: [&a ").append("x".repeat(10_000));
        bomb.append(("\n      " + ",*a".repeat(100)).repeat(1_500)).append("]\n");

        List<ConfigProblem> problems = assertTimeoutPreemptively(QUICKLY, () -> problems(bomb.toString()));

        assertThat(lines(problems)).contains("build.yaml:2:12: config values add up to more than " + ConfigParser.MAX_BYTES
                + " characters; aliases (*name) repeat a value too often");
    }

    @Test
    void recursive_aliases_are_refused_without_looping() {
        assertTimeoutPreemptively(QUICKLY, () -> {
            assertThat(lines(problems("steps: &s [*s]\n")))
                    .containsExactly("build.yaml:1:8: step #0 must be a mapping with 'args' or 'script'");
            assertThat(lines(problems("options: &o {env: *o}\nsteps:\n  - args: &a [*a]\n"))).containsExactly(
                    "build.yaml:1:10: options.env must be a list of values, not a mapping",
                    "build.yaml:3:11: steps[0].args[0] must be a single value, not a list");
        });
    }

    @Test
    void deep_nesting_is_refused_quickly() {
        String deep = "steps: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";

        List<ConfigProblem> problems = assertTimeoutPreemptively(QUICKLY, () -> problems(deep));

        assertThat(problems).singleElement().extracting(ConfigProblem::message).asString()
                .startsWith("invalid YAML:").containsIgnoringCase("nesting");
        assertThat(lines(problems)).singleElement().asString().startsWith("build.yaml:1:47: invalid YAML:");
    }

    @Test
    void a_ten_megabyte_config_is_refused_with_a_clear_size_message() {
        byte[] big = new byte[10 * 1024 * 1024];
        Arrays.fill(big, (byte) '#');

        ConfigException e = assertTimeoutPreemptively(QUICKLY, () -> refused("build.yaml", new String(big, StandardCharsets.UTF_8)));

        assertThat(lines(e.problems())).containsExactly(
                "build.yaml:1:1: config is 10485760 bytes; the limit is " + ConfigParser.MAX_BYTES + " bytes");
    }

    @Test
    void the_size_limit_counts_bytes_not_characters() {
        // Half the limit in characters, but each 'é' is two bytes in UTF-8.
        String text = "steps:\n  - args: [x]\n#" + "é".repeat(ConfigParser.MAX_BYTES / 2) + "\n";

        assertThat(lines(refused("build.yaml", text).problems())).singleElement().asString()
                .contains("the limit is " + ConfigParser.MAX_BYTES + " bytes");
    }

    @Test
    void a_config_of_exactly_the_size_limit_is_not_refused_for_its_size() throws Exception {
        StringBuilder text = new StringBuilder("steps:\n  - args: [x]\n");
        while (text.length() < ConfigParser.MAX_BYTES - 100) {
            text.append("# ").append("p".repeat(97)).append('\n');
        }
        text.append("#".repeat(ConfigParser.MAX_BYTES - text.length() - 1)).append('\n');
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes).hasSize(ConfigParser.MAX_BYTES);

        BuildSpec spec = assertTimeoutPreemptively(QUICKLY, () -> ConfigParser.parse("build.yaml", bytes));

        assertThat(spec.steps()).hasSize(1);
    }

    @Test
    void many_long_unknown_waitFor_names_are_refused_quickly_with_a_bounded_report() {
        // 400 long ids, then 50,000 references (by alias) to a long unknown one: working out a
        // did-you-mean for each would take hours, and listing each would take gigabytes.
        StringBuilder text = new StringBuilder("steps:\n");
        for (int i = 0; i < 400; i++) {
            text.append("  - id: ").append("x".repeat(996)).append(String.format("%04d", i)).append("\n    args: [x]\n");
        }
        text.append("  - args: [x]\n    waitFor: [&w ").append("y".repeat(1000))
                .append(("\n      " + ", *w".repeat(100)).repeat(500)).append("]\n");

        ConfigException e = assertTimeoutPreemptively(QUICKLY, () -> refused("build.yaml", text.toString()));

        assertThat(e.problems()).hasSizeLessThanOrEqualTo(ConfigParser.MAX_PROBLEMS + 1);
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.message().length()).isLessThanOrEqualTo(ConfigParser.MAX_MESSAGE + 3));
        // Every alias points at the same place: the same problem there is told once, not 50,000 times.
        assertThat(e.problems()).filteredOn(p -> p.message().startsWith("step 'Step #400' waits for unknown step 'yyyy"))
                .hasSize(1);
    }

    @Test
    void a_flood_of_problems_is_cut_short_and_says_how_many_were_left_out() {
        StringBuilder text = new StringBuilder("steps:\n  - args: [x]\n");
        for (int i = 0; i < 250; i++) {
            text.append("    unknown").append(i).append(": 1\n");
        }

        List<ConfigProblem> problems = problems(text.toString());

        assertThat(problems).hasSize(ConfigParser.MAX_PROBLEMS + 1);
        assertThat(problems.get(0)).hasToString("build.yaml:3:5: step #0: unknown field 'unknown0'");
        assertThat(problems.get(ConfigParser.MAX_PROBLEMS)).hasToString("build.yaml:1:1: ... and 150 more problems not listed");
    }

    @Test
    void a_very_long_unknown_field_name_is_shortened_in_the_message() {
        String key = "k".repeat(1_000); // YAML itself refuses plain keys over 1024 characters

        List<ConfigProblem> problems = problems("steps:\n  - args: [x]\n" + key + ": 1\n");

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.mark()).hasToString("build.yaml:3:1");
            assertThat(p.message()).startsWith("config: unknown field 'kkk").endsWith("...").hasSize(ConfigParser.MAX_MESSAGE + 3);
        });
    }

    @Test
    void a_key_too_long_for_yaml_is_refused_as_invalid_yaml() {
        List<ConfigProblem> problems = problems("steps:\n  - args: [x]\n" + "k".repeat(5_000) + ": 1\n");

        assertThat(problems).singleElement().extracting(ConfigProblem::message).asString().startsWith("invalid YAML:");
    }

    @Test
    void a_thousand_and_one_steps_are_refused() {
        String text = "steps:\n" + "  - args: [x]\n".repeat(1_001);

        assertThat(lines(problems(text))).containsExactly("build.yaml:2:3: a build may have at most 1000 steps");
    }

    @Test
    void a_thousand_steps_each_waiting_for_all_previous_ones_are_checked_quickly() throws Exception {
        String text = "steps:\n" + "  - args: [x]\n".repeat(1_000);

        BuildSpec spec = assertTimeoutPreemptively(QUICKLY, () -> ConfigParser.parse("build.yaml", text));

        assertThat(spec.steps()).hasSize(1_000);
    }

    @Test
    void yaml_tags_do_not_construct_objects() {
        List<ConfigProblem> problems = problems(
                "steps: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]\n");

        assertThat(lines(problems)).singleElement().asString().startsWith("build.yaml:1:8: invalid YAML: Global tag is not allowed");
    }
}
