/**
 * The protostuff codec plugin: {@link io.microrpc.plugin.codec.protostuff.ProtostuffSerializer}, id 1,
 * and the pieces that keep protostuff from loading classes a payload names: an allow-list id strategy,
 * a bounded input, a type-checked schema, JDK value delegates and a Java-17-safe output. Everything but
 * the extension class is package-private.
 */
package io.microrpc.plugin.codec.protostuff;
