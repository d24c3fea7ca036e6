package dev.kiln.spec.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubstitutionsTest {
    private final Map<String, String> values = Map.of("_X", "ex", "PROJECT_ID", "proj", "_ODD", "a$b\\c$1");
    private final List<String> used = new ArrayList<>();
    private final List<String> unknown = new ArrayList<>();

    private String expand(String text) {
        return Substitutions.expand(text, values, used::add, unknown::add);
    }

    @Test
    void dollar_name_and_dollar_braced_name_are_both_replaced() {
        assertThat(expand("$_X")).isEqualTo("ex");
        assertThat(expand("${_X}")).isEqualTo("ex");
        assertThat(expand("a-$_X-${_X}-$PROJECT_ID/b")).isEqualTo("a-ex-ex-proj/b");
        assertThat(used).containsExactly("_X", "_X", "_X", "_X", "PROJECT_ID");
        assertThat(unknown).isEmpty();
    }

    @Test
    void braces_end_a_name_where_the_text_goes_on_with_name_characters() {
        assertThat(expand("${_X}Y")).isEqualTo("exY");
        assertThat(expand("$_XY")).as("_XY is another name").isEmpty();
        assertThat(unknown).containsExactly("_XY");
        assertThat(expand("$_X.tar")).isEqualTo("ex.tar");
        assertThat(expand("$_Xabc")).as("lower case is not part of a name").isEqualTo("exabc");
    }

    @Test
    void double_dollar_is_a_literal_dollar_and_names_nothing() {
        assertThat(expand("$$")).isEqualTo("$");
        assertThat(expand("$$_X")).isEqualTo("$_X");
        assertThat(expand("cost: $$5")).isEqualTo("cost: $5");
        assertThat(expand("$$$_X")).isEqualTo("$ex");
        assertThat(expand("$$$$")).isEqualTo("$$");
        assertThat(used).containsExactly("_X");
    }

    @Test
    void a_dollar_not_followed_by_a_name_is_left_as_it_is() {
        assertThat(expand("$1 $@ $foo ${foo} ${_X:0:3} $ end$")).isEqualTo("$1 $@ $foo ${foo} ${_X:0:3} $ end$");
        assertThat(used).isEmpty();
        assertThat(unknown).isEmpty();
    }

    @Test
    void an_unknown_name_becomes_empty_and_is_reported() {
        assertThat(expand("[$_NOPE][${_ALSO_NOPE}]")).isEqualTo("[][]");
        assertThat(unknown).containsExactly("_NOPE", "_ALSO_NOPE");
        assertThat(used).containsExactly("_NOPE", "_ALSO_NOPE");
    }

    @Test
    void values_are_inserted_as_they_are_without_further_expansion() {
        assertThat(expand("$_ODD")).isEqualTo("a$b\\c$1");
        assertThat(unknown).isEmpty();
    }

    @Test
    void null_and_text_without_dollars_come_back_unchanged() {
        assertThat(expand(null)).isNull();
        String plain = "no substitutions here";
        assertThat(expand(plain)).isSameAs(plain);
    }

    @Test
    void scan_collects_names_but_not_escaped_ones() {
        Set<String> names = new LinkedHashSet<>();
        Substitutions.scan("echo $_A ${_B} $$_C $HOME $1 $lower", names);
        Substitutions.scan(null, names);

        assertThat(names).containsExactly("_A", "_B", "HOME");
    }

    @Test
    void expand_with_a_limit_gives_up_when_the_result_would_be_too_long() {
        Map<String, String> big = Map.of("_BIG", "x".repeat(1_000));

        assertThat(Substitutions.expand("$_BIG", big, n -> {}, n -> {}, 1_000)).hasSize(1_000);
        assertThat(Substitutions.expand("$_BIG!", big, n -> {}, n -> {}, 1_000)).isNull();
        assertThat(Substitutions.expand("$_BIG".repeat(1_000_000), big, n -> {}, n -> {}, 10_000)).isNull();
        assertThat(Substitutions.expand("plain", big, n -> {}, n -> {}, 4)).isNull();
        assertThat(Substitutions.expand("plain", big, n -> {}, n -> {}, 5)).isEqualTo("plain");
    }
}
