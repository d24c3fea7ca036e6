package dev.kiln.agent.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.metrics.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which workspace files artifact patterns and a metrics path reach, and that nothing outside is ever read. */
class ArtifactFinderTest {
    @TempDir Path tmp;

    private Path file(Path ws, String rel, String text) throws Exception {
        Path p = ws.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void globs_directories_and_literal_names_match_once_each_in_order() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        file(ws, "model.pkl", "m");
        file(ws, "out/a/r1.html", "1");
        file(ws, "out/b/c/r2.html", "22");
        file(ws, "out/b/c/notes.txt", "n");
        file(ws, "data/x.csv", "x");

        ArtifactFinder.Result r = ArtifactFinder.find(ws, List.of("model.pkl", "out/**/*.html", "data", "model.pkl", "nothing/*"));

        assertThat(r.files()).extracting(ArtifactFinder.Found::path, ArtifactFinder.Found::size).containsExactly(
                org.assertj.core.groups.Tuple.tuple("model.pkl", 1L), org.assertj.core.groups.Tuple.tuple("out/a/r1.html", 1L),
                org.assertj.core.groups.Tuple.tuple("out/b/c/r2.html", 2L), org.assertj.core.groups.Tuple.tuple("data/x.csv", 1L));
        assertThat(r.warnings()).containsExactly("artifacts: 'nothing/*' matched no file; nothing kept for it");
    }

    @Test
    void links_out_of_the_workspace_are_warnings_and_never_read() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path secret = file(tmp, "secret/token", "s3cret");
        Files.createSymbolicLink(ws.resolve("leak.txt"), secret);
        Files.createSymbolicLink(ws.resolve("dir"), secret.getParent());
        file(ws, "inside.txt", "ok");
        Files.createSymbolicLink(ws.resolve("alias.txt"), ws.resolve("inside.txt"));

        ArtifactFinder.Result r = ArtifactFinder.find(ws, List.of("*.txt", "dir/*", "dir"));

        assertThat(r.files()).extracting(ArtifactFinder.Found::path).containsExactly("alias.txt", "inside.txt");
        assertThat(r.warnings()).contains(
                "artifacts: leak.txt was not kept: leak.txt leads outside the workspace (a symbolic link?); not read",
                "artifacts: 'dir/*' matched no file; nothing kept for it");
        assertThat(MetricsReader.read(ws, "leak.txt").warnings()).containsExactly(
                "metrics file leak.txt: leak.txt leads outside the workspace (a symbolic link?); not read");
        Files.writeString(ws.resolve("m.json"), "{\"accuracy\": 0.9}");
        assertThat(MetricsReader.read(ws, "m.json").metrics()).containsExactly(new Metric("accuracy", 0.9));
    }
}
