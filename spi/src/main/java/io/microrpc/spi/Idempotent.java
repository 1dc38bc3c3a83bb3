package io.microrpc.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an RPC method safe to run more than once. Only idempotent methods may be retried after a
 * {@link Status.Code#DEADLINE_EXCEEDED} (the first attempt may have run). On an interface it marks
 * every method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Idempotent {}
