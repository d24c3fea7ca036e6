package dev.kiln.webui.view;

/**
 * What became of a build that waited for approval: approved or rejected, by whom, when, and why.
 * {@code comment} is empty when none was given.
 */
public record ApprovalView(String decision, String approver, Stamp time, String comment) {
    public boolean approved() {
        return "APPROVED".equals(decision);
    }
}
