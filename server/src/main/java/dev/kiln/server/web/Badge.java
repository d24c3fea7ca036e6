package dev.kiln.server.web;

import dev.kiln.webui.live.Html;
import java.util.Locale;

/** A shields.io-style status badge as SVG: "build | passing". Text is escaped; widths are estimated. */
final class Badge {
    private Badge() {}

    static String svg(String label, String status) {
        String right = switch (status) {
            case "SUCCESS" -> "passing";
            case "FAILURE" -> "failing";
            case "WORKING" -> "running";
            case "" -> "no builds";
            default -> status.toLowerCase(Locale.ROOT).replace('_', ' ');
        };
        String colour = switch (status) {
            case "SUCCESS" -> "#2e7d32";
            case "FAILURE", "INTERNAL_ERROR", "TIMEOUT" -> "#c62828";
            case "WORKING", "QUEUED", "PENDING" -> "#0550ae";
            default -> "#57606a";
        };
        int lw = 10 + 7 * label.length();
        int rw = 10 + 7 * right.length();
        String l = Html.escape(label);
        String r = Html.escape(right);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (lw + rw) + "\" height=\"20\" role=\"img\" aria-label=\""
                + l + ": " + r + "\"><title>" + l + ": " + r + "</title>"
                + "<rect width=\"" + lw + "\" height=\"20\" fill=\"#555\"/>"
                + "<rect x=\"" + lw + "\" width=\"" + rw + "\" height=\"20\" fill=\"" + colour + "\"/>"
                + "<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">"
                + "<text x=\"" + lw / 2 + "\" y=\"14\">" + l + "</text>"
                + "<text x=\"" + (lw + rw / 2) + "\" y=\"14\">" + r + "</text></g></svg>";
    }
}
