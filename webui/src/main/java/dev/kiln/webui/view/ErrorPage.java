package dev.kiln.webui.view;

/** A refusal or failure as a page: a status and a sentence, never a stack trace. */
public record ErrorPage(int status, String message) {}
