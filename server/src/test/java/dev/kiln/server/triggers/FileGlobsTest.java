package dev.kiln.server.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cloud Build's includedFiles / ignoredFiles, as a table: changed files, the globs, whether the push builds. */
class FileGlobsTest {
    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.split(" "));
    }

    @ParameterizedTest(name = "changed [{0}], included [{1}], ignored [{2}] -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            src/a.py                | -                  | -              | true
            src/a.py                | src/**             | -              | true
            docs/a.md               | src/**             | -              | false
            src/deep/er/a.py        | src/**             | -              | true
            src/deep/a.py           | src/*              | -              | false
            src/a.py                | src/*.py           | -              | true
            README.md               | **/*.md            | -              | true
            docs/x/README.md        | **/*.md            | -              | true
            docs/a.md               | -                  | docs/**        | false
            docs/a.md src/a.py      | -                  | docs/**        | true
            src/a.md                | src/**             | **/*.md        | false
            src/a.md src/b.py       | src/**             | **/*.md        | true
            data/v1.csv             | data/v?.csv        | -              | true
            data/v10.csv            | data/v?.csv        | -              | false
            data/a.csv              | data/[ab].csv      | -              | true
            data/c.csv              | data/[!ab].csv     | -              | true
            data/a.csv              | data/[!ab].csv     | -              | false
            -                       | src/**             | -              | false
            -                       | -                  | docs/**        | false
            """)
    void a_push_builds_when_a_changed_file_is_not_ignored_and_is_included(String changed, String included, String ignored,
                                                                           boolean builds) {
        assertThat(new FileGlobs(split(included), split(ignored)).builds(split(changed))).isEqualTo(builds);
    }
}
