package io.microrpc.plugin.codec.protostuff;

import io.protostuff.CollectionSchema;
import io.protostuff.MapSchema;
import io.protostuff.runtime.RuntimeEnv;
import java.util.Collection;
import java.util.Map;

/**
 * Factories for collection and map classes that protostuff has no built-in factory for: a field's
 * declared class, or an allowed application class a payload names. Instantiated as protostuff's own
 * default strategy would (no-argument constructor, else without one). Immutable.
 */
final class InstantiatingFactories {

    private InstantiatingFactories() {}

    /** A collection class the declaring code chose. */
    static final class CollectionFactory implements CollectionSchema.MessageFactory {

        private final Class<?> type;
        private final RuntimeEnv.Instantiator<?> instantiator;

        CollectionFactory(Class<?> type) {
            this.type = type;
            this.instantiator = RuntimeEnv.newInstantiator(type);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> Collection<V> newMessage() {
            return (Collection<V>) instantiator.newInstance();
        }

        @Override
        public Class<?> typeClass() {
            return type;
        }
    }

    /** A map class the declaring code chose. */
    static final class MapFactory implements MapSchema.MessageFactory {

        private final Class<?> type;
        private final RuntimeEnv.Instantiator<?> instantiator;

        MapFactory(Class<?> type) {
            this.type = type;
            this.instantiator = RuntimeEnv.newInstantiator(type);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Map<K, V> newMessage() {
            return (Map<K, V>) instantiator.newInstance();
        }

        @Override
        public Class<?> typeClass() {
            return type;
        }
    }
}
