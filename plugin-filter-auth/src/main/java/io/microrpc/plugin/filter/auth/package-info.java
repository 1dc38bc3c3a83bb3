/**
 * The authentication and authorization plugin: {@link io.microrpc.plugin.filter.auth.Auth} ({@code
 * auth}), a filter that identifies the caller of every call a server runs (mutual TLS, HMAC tokens,
 * JWT) and checks it against per-service and per-method allow-lists, and on the client attaches the
 * caller's credential to each attempt. Everything but the extension class is package-private.
 */
package io.microrpc.plugin.filter.auth;
