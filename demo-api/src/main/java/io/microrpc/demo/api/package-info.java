/**
 * The demo services: {@link io.microrpc.demo.api.EchoService} (the transport's yardstick, with sync,
 * async and one-way calls) and {@link io.microrpc.demo.api.UserService} (a realistic payload: a
 * dozen-field {@link io.microrpc.demo.api.User}, lists of them, and a business exception).
 *
 * <p>This module is what a client compiles against; {@code plugin-service-demo} implements it. It
 * depends on the spi for its annotations only.
 */
package io.microrpc.demo.api;
