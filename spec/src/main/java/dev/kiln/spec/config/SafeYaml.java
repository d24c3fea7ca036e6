package dev.kiln.spec.config;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns config bytes (YAML or JSON) into a tree of YAML nodes with their positions, and nothing
 * more: no object is ever constructed, and size, alias, nesting and duplicate-key limits hold
 * before any of it is read, so hostile text costs little.
 */
final class SafeYaml {
    /** Larger configs are refused before YAML sees them. */
    static final int MAX_BYTES = 1 << 20;

    private SafeYaml() {}

    /** The root node of {@code content}, or null when it holds no document (empty, or only comments). */
    static Node compose(String file, byte[] content) throws ConfigException {
        if (content.length > MAX_BYTES) {
            throw new ConfigException(List.of(tooLarge(file, content.length)));
        }
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark is no part of the config
        }
        if (file.endsWith(".json") || text.stripLeading().startsWith("{")) {
            text = untabJson(text);
        }
        LastEvent parser = new LastEvent(new ParserImpl(new StreamReader(new StringReader(text)), options()));
        try {
            Node root = new Composer(parser, new Resolver(), options()).getSingleNode();
            MergeKeys.expand(file, root);
            return root;
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            if (e.getContext() != null && e.getContextMark() != null && e.getProblemMark() != null
                    && e.getContextMark().getLine() != e.getProblemMark().getLine()) {
                // e.g. an unclosed '[': the problem shows at the end, the cause where it opened.
                what += " (" + e.getContext() + " that starts at " + mark(file, e.getContextMark()) + ")";
            }
            throw new ConfigException(List.of(new ConfigProblem(mark(file, m), "invalid YAML: " + what)));
        } catch (YAMLException e) {
            // The alias and nesting limits throw without a mark: the node being composed is the last event read.
            Mark m = parser.last != null ? parser.last.getStartMark() : null;
            throw new ConfigException(List.of(new ConfigProblem(mark(file, m), "invalid YAML: " + e.getMessage())));
        }
    }

    /** A parser that remembers the last event it handed out, to place errors that carry no position. */
    private static final class LastEvent implements Parser {
        private final Parser parser;
        Event last;

        LastEvent(Parser parser) {
            this.parser = parser;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            return parser.checkEvent(choice);
        }

        @Override
        public Event peekEvent() {
            return parser.peekEvent();
        }

        @Override
        public Event getEvent() {
            last = parser.getEvent();
            return last;
        }
    }

    static ConfigProblem tooLarge(String file, long size) {
        return new ConfigProblem(mark(file, null), "config is " + size + " bytes; the limit is " + MAX_BYTES + " bytes");
    }

    /** SnakeYAML counts from 0, people and editors from 1; no mark means the top of the file. */
    static SourceMark mark(String file, Mark m) {
        return m == null ? new SourceMark(file, 1, 1) : new SourceMark(file, m.getLine() + 1, m.getColumn() + 1);
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // SnakeYAML's default keeps the last value silently
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_BYTES);
        return options;
    }

    /**
     * YAML forbids tabs as indentation, JSON allows them: turn tabs outside strings into spaces.
     * Also turns JSON's {@code \/} escape, unknown to YAML, into a plain {@code /}.
     */
    static String untabJson(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                    if (c == '/') {
                        // JSON allows \/ for '/', YAML does not know it: drop the backslash.
                        out.setLength(out.length() - 1);
                    }
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '\t') {
                c = ' ';
            }
            out.append(c);
        }
        return out.toString();
    }
}
