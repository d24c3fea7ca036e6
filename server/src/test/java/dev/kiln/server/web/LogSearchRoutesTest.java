package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.json.Json;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search over a step's whole log and the windows of rows the page jumps to: hits anywhere in the
 * file (far before the tail the page loads first), numbered as the page numbers its rows, matched
 * on the text as shown (no escapes, a progress bar as its last frame), capped, and bad queries refused.
 */
class LogSearchRoutesTest {
    static final int LINES = 60_000;

    @TempDir static Path tmp;
    static TestServer kiln;
    static String id;
    /** A signed-in browser's session: these are the dashboard's routes. */
    static String cookie;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        id = kiln.endedBuild(tmp.resolve("b"));
        cookie = WebSession.adminCookie(kiln);
        Path log = kiln.dataDir.resolve("logs").resolve(id).resolve("0.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log.resolveSibling("0.times"));
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 16)) {
            for (int n = 1; n <= LINES; n++) {
                String line = switch (n) {
                    case 7 -> "first Needle here";
                    // Colour in the middle of the word: the escapes are not text.
                    case 100 -> "coloured NEE\u001b[31mDLE\u001b[0m word";
                    // Overwritten by \r: the page shows "zzzzzzzzzzzz", so this is no hit.
                    case 200 -> "xxneedlexx\rzzzzzzzzzzzz";
                    case 30_000 -> "middle needle";
                    case LINES - 1 -> "needle near the end";
                    default -> n % 20 == 0 ? "every twentieth: haystack " + n : "line " + n + " of plain text";
                };
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @AfterAll
    static void stop() {
        kiln.close();
    }

    record Res(int status, String body) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(body);
        }
    }

    static Res get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(kiln.server.url() + path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Res(r.statusCode(), r.body());
    }

    static String search(String q) {
        return "/builds/" + id + "/steps/0/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
    }

    static List<Long> hits(JsonNode j) {
        List<Long> out = new ArrayList<>();
        j.get("hits").forEach(h -> out.add(h.asLong()));
        return out;
    }

    @Test
    void hits_come_from_the_whole_file_in_any_case_on_the_text_as_shown() throws Exception {
        Res r = get(search("nEEdle"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(hits(j)).containsExactly(7L, 100L, 30_000L, (long) LINES - 1);
        assertThat(j.get("count").asInt()).isEqualTo(4);
        assertThat(j.get("capped").asBoolean()).isFalse();
        assertThat(j.get("complete").asBoolean()).isTrue();
        assertThat(j.get("lines").asLong()).isEqualTo(LINES);
        assertThat(j.get("scannedBytes").asLong()).isEqualTo(Files.size(kiln.dataDir.resolve("logs").resolve(id).resolve("0.log")));
    }

    @Test
    void a_hit_far_before_the_loaded_tail_is_served_as_its_window_of_rows() throws Exception {
        assertThat(LINES - StreamRoutes.TAIL).as("the hit is outside the first view").isGreaterThan(7);
        JsonNode rows = get("/builds/" + id + "/steps/0/lines?from=2&to=12").json().get("rows");
        assertThat(rows).hasSize(11);
        assertThat(rows.get(0).asText()).contains("id=\"s0-L2\"").contains("line 2 of plain text");
        assertThat(rows.get(5).asText()).contains("id=\"s0-L7\"").contains("first Needle here");
        JsonNode mid = get("/builds/" + id + "/steps/0/lines?from=29990&to=30010").json().get("rows");
        assertThat(mid.get(10).asText()).contains("id=\"s0-L30000\"").contains("middle needle");
    }

    @Test
    void hits_are_capped_and_say_so() throws Exception {
        JsonNode two = get(search("needle") + "&max=2").json();
        assertThat(hits(two)).containsExactly(7L, 100L);
        assertThat(two.get("capped").asBoolean()).isTrue();
        assertThat(two.get("complete").asBoolean()).isFalse();

        JsonNode many = get(search("haystack")).json();   // 3,000 lines match; the default cap is lower
        assertThat(many.get("count").asInt()).isEqualTo(StreamRoutes.DEFAULT_HITS);
        assertThat(hits(many).get(0)).isEqualTo(20L);
        assertThat(many.get("capped").asBoolean()).isTrue();
        JsonNode all = get(search("haystack") + "&max=10000").json();
        assertThat(all.get("count").asInt()).isEqualTo(LINES / 20 - 3);   // lines 100, 200 and 30,000 say something else
        assertThat(all.get("capped").asBoolean()).isFalse();
    }

    @Test
    void the_query_echoed_back_is_inert_json() throws Exception {
        String evil = "<script>alert(1)</script>&\"'";
        Res r = get(search(evil));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("<script>", "</script>", "&");
        assertThat(r.json().get("q").asText()).isEqualTo(evil);
        assertThat(r.json().get("count").asInt()).isZero();
    }

    @Test
    void a_missing_empty_or_huge_query_is_a_400_that_says_why() throws Exception {
        for (String path : List.of("/builds/" + id + "/steps/0/search", search(""), search("x".repeat(201)),
                search("ok") + "&max=0", search("ok") + "&max=10001")) {
            Res r = get(path);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body()).as(path).containsAnyOf("q is required", "q must be", "max must be");
        }
        assertThat(get(search("x".repeat(200))).status()).isEqualTo(200);
        assertThat(get("/builds/" + id + "/steps/1/search?q=x").status()).isEqualTo(404);
        assertThat(get("/builds/nope/steps/0/search?q=x").status()).isEqualTo(404);
    }
}
