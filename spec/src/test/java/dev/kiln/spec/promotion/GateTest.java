package dev.kiln.spec.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.promotion.GateCheck.Result;
import dev.kiln.spec.promotion.GateCheck.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Gates as written, and their verdicts at the edges: inclusive bounds, missing metrics, production 0 or absent. */
class GateTest {

    private static Result one(String gate, Map<String, Double> metrics, Map<String, Double> production) {
        return GateCheck.check(List.of(Gate.parse(gate)), metrics, Optional.ofNullable(production)).get(0);
    }

    @Test
    void the_three_forms_are_read() {
        Gate abs = Gate.parse("accuracy >= 0.80");
        assertThat(abs.kind()).isEqualTo(Gate.Kind.ABSOLUTE);
        assertThat(abs.threshold(123)).isEqualTo(0.80);
        Gate rel = Gate.parse("  accuracy>=production - 0.01 ");
        assertThat(rel.kind()).isEqualTo(Gate.Kind.AGAINST_PRODUCTION);
        assertThat(rel.text()).isEqualTo("accuracy>=production - 0.01");
        assertThat(rel.threshold(0.9)).isEqualTo(0.89, org.assertj.core.data.Offset.offset(1e-12));
        Gate scaled = Gate.parse("latency_p95_ms <= production * 1.10");
        assertThat(scaled.scales()).isTrue();
        assertThat(scaled.op()).isEqualTo(Gate.Op.LE);
        Gate same = Gate.parse("accuracy >= production_accuracy - 0.005");
        assertThat(same.kind()).isEqualTo(Gate.Kind.SAME_BUILD);
        assertThat(same.reference()).isEqualTo("production_accuracy");
    }

    @Test
    void bad_gates_say_what_is_wrong() {
        assertThatThrownBy(() -> Gate.parse("accuracy => 0.8")).hasMessageContaining("cannot be read")
                .hasMessageContaining("accuracy >= 0.80");
        assertThatThrownBy(() -> Gate.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Gate.parse("accuracy >= production-0.01"))
                .hasMessage("gate 'accuracy >= production-0.01': put spaces around the operator, as in"
                        + " 'accuracy >= production - 0.01'");
        assertThatThrownBy(() -> Gate.parse("accuracy >= accuracy")).hasMessageContaining("with itself");
        assertThatThrownBy(() -> Gate.parse("accuracy >= 1e999")).hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> Gate.parse("accuracy >= 0.8; rm -rf /")).hasMessageContaining("cannot be read");
    }

    @Test
    void bounds_are_inclusive_even_where_binary_arithmetic_is_not_exact() {
        assertThat(one("accuracy >= 0.80", Map.of("accuracy", 0.80), null).verdict()).isEqualTo(Verdict.PASS);
        assertThat(one("accuracy > 0.80", Map.of("accuracy", 0.80), null).verdict()).isEqualTo(Verdict.FAIL);
        // 0.3 - 0.1 is 0.19999999999999998 in doubles; a user wrote 0.2 <= 0.2.
        assertThat(one("loss <= production - 0.1", Map.of("loss", 0.2), Map.of("loss", 0.3)).verdict())
                .isEqualTo(Verdict.PASS);
        Result below = one("accuracy >= 0.80", Map.of("accuracy", 0.79), null);
        assertThat(below.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(below.reason()).isEqualTo("accuracy is 0.79, not >= 0.8");
        assertThat(below.threshold()).isEqualTo(0.80);
    }

    @Test
    void a_metric_the_build_did_not_report_fails_never_passes() {
        Result r = one("f1 >= 0.5", Map.of("accuracy", 0.9), null);
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.reason()).startsWith("metric not found");
        Result same = one("accuracy >= production_accuracy", Map.of("accuracy", 0.9), null);
        assertThat(same.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(same.reason()).isEqualTo("metric not found: the build reported no 'production_accuracy'");
    }

    @Test
    void production_missing_or_zero_fails_a_relative_gate_with_a_reason_not_nan() {
        Result missing = one("accuracy >= production - 0.01", Map.of("accuracy", 0.9), Map.of("f1", 0.5));
        assertThat(missing.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(missing.reason()).isEqualTo("the production model has no recorded 'accuracy' to compare with");
        Result zero = one("latency_ms <= production * 1.10", Map.of("latency_ms", 3.0), Map.of("latency_ms", 0.0));
        assertThat(zero.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(zero.reason()).contains("is 0");
        assertThat(zero.productionValue()).isEqualTo(0.0);
        // Shifting a 0 is a number: it compares.
        assertThat(one("errors <= production + 1", Map.of("errors", 1.0), Map.of("errors", 0.0)).verdict())
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void the_first_promotion_has_no_production_and_says_so() {
        Result r = one("accuracy >= production - 0.01", Map.of("accuracy", 0.5), null);
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_APPLICABLE);
        assertThat(r.passed()).isTrue();
        assertThat(r.reason()).contains("first promotion");
        // An absolute gate still holds on the first promotion.
        assertThat(GateCheck.allPass(GateCheck.check(List.of(Gate.parse("accuracy >= production"),
                Gate.parse("accuracy >= 0.8")), Map.of("accuracy", 0.5), Optional.empty()))).isFalse();
    }

    @Test
    void a_gate_against_production_reports_the_production_value_it_used() {
        Result r = one("latency_p95_ms <= production * 1.10", Map.of("latency_p95_ms", 12.0), Map.of("latency_p95_ms", 10.0));
        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.productionValue()).isEqualTo(10.0);
        assertThat(r.threshold()).isEqualTo(11.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.kind()).isEqualTo(Gate.Kind.AGAINST_PRODUCTION);
        assertThat(r.reason()).isEqualTo("latency_p95_ms is 12, not <= 11");
    }
}
