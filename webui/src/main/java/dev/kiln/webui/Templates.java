package dev.kiln.webui;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * Renders the dashboard's JTE templates, compiled to classes at build time (no compiler at run
 * time; every {@code ${...}} is escaped for its HTML context by JTE).
 */
public final class Templates {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

    private Templates() {}

    /** Renders {@code name} (e.g. {@code "builds.jte"}) with its one parameter, {@code model}. */
    public static String render(String name, Object model) {
        StringOutput out = new StringOutput();
        ENGINE.render(name, model, out);
        return out.toString();
    }
}
