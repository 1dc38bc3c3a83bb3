package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.protostuff.CollectionSchema;
import io.protostuff.Input;
import io.protostuff.MapSchema;
import io.protostuff.Message;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.Schema;
import io.protostuff.runtime.Delegate;
import io.protostuff.runtime.EnumIO;
import io.protostuff.runtime.HasDelegate;
import io.protostuff.runtime.HasSchema;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.RuntimeSchema;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Protostuff's polymorphic-type hooks, answered from the {@link AllowedTypes} of the call being read
 * instead of from the class path.
 *
 * <p>Protostuff writes a class name wherever the declared type does not fix the concrete class
 * ({@code Object}, interfaces, abstract classes, collection and map implementations, enums in
 * {@code Object} positions, array components, delegates). Its {@code DefaultIdStrategy} (final, so not
 * reusable) turns those names back into classes with {@code RuntimeEnv.loadClass} (the context class
 * loader, else {@code Class.forName}): any class on the class path, loaded, then instantiated. Here
 * every {@code resolve*From} hook reads the name and asks {@link AllowedTypes#resolve}, which the
 * current {@link BoundedInput} carries; a name it does not know is refused before any class is
 * loaded. The hooks are: {@code resolvePojoFrom}, {@code resolveEnumFrom},
 * {@code resolveCollectionFrom}, {@code resolveMapFrom}, {@code resolveDelegateFrom},
 * {@code resolveArrayComponentTypeFrom} and {@code resolveClassFrom}.
 *
 * <p>Schemas and factories are cached per {@link Class} (not per name: a client and a service plugin
 * in one JVM may each own a class of the same name), per instance: one strategy per
 * {@link ProtostuffSerializer}, no static state, so an unloaded plugin leaves nothing behind here.
 * Thread-safe.
 *
 * <p>Piping (protostuff's format-to-format transfer) is not used by the serializer and not supported.
 */
final class AllowListIdStrategy extends IdStrategy {

    /**
     * Enums by name ({@link StrictEnumIO}), so reordering constants between versions cannot silently
     * change a value; nulls kept inside collections and arrays, so element positions survive. Fixed
     * here rather than read from protostuff's system properties ({@code
     * protostuff.runtime.enums_by_name}, ...), so the JVM's flags cannot change the wire format.
     */
    static final int FLAGS = ENUMS_BY_NAME | PRESERVE_NULL_ELEMENTS;

    // The field numbers ObjectSchema reads these ids under (package-private in RuntimeFieldFactory).
    private static final int ID_ARRAY = 15;
    private static final int ID_CLASS = 18;
    private static final int ID_CLASS_ARRAY = 20;

    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean",
            boolean.class,
            "byte",
            byte.class,
            "char",
            char.class,
            "short",
            short.class,
            "int",
            int.class,
            "long",
            long.class,
            "float",
            float.class,
            "double",
            double.class);

    private final ConcurrentHashMap<Class<?>, HasSchema<?>> pojos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, EnumIO<? extends Enum<?>>> enums = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, CollectionSchema.MessageFactory> collections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, MapSchema.MessageFactory> maps = new ConcurrentHashMap<>();
    private final Map<Class<?>, HasDelegate<?>> delegates;

    AllowListIdStrategy() {
        super(FLAGS, null, 0);
        this.delegates = JdkDelegates.register(this);
    }

    // ---- pojos

    @Override
    public boolean isRegistered(Class<?> typeClass) {
        // Nothing is registered ahead of time; every pojo gets a lazily built runtime schema.
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> HasSchema<T> getSchemaWrapper(Class<T> typeClass, boolean create) {
        HasSchema<T> wrapper = (HasSchema<T>) pojos.get(typeClass);
        if (wrapper == null && create) {
            // Only the cheap wrapper is built inside computeIfAbsent: building the schema recurses
            // into this method for the field types.
            wrapper = (HasSchema<T>) pojos.computeIfAbsent(typeClass, c -> new LazySchema<>(c, this));
        }
        return wrapper;
    }

    @Override
    protected <T> HasSchema<T> tryWritePojoIdTo(Output output, int fieldNumber, Class<T> clazz, boolean registered) {
        // Returning null sends ObjectSchema down its throwable/map/collection checks before
        // writePojoIdTo, which is what an unregistered pojo needs.
        return null;
    }

    @Override
    protected <T> HasSchema<T> writePojoIdTo(Output output, int fieldNumber, Class<T> clazz) throws IOException {
        output.writeString(fieldNumber, clazz.getName(), false);
        return getSchemaWrapper(clazz, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> HasSchema<T> resolvePojoFrom(Input input, int fieldNumber) throws IOException {
        String name = input.readString();
        Class<?> type = resolve(name, input);
        if (type.isInterface()
                || Modifier.isAbstract(type.getModifiers())
                || type.isArray()
                || type.isEnum()
                || type.isPrimitive()) {
            throw new IOException("malformed payload: " + name + " cannot be instantiated as an object");
        }
        if (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
            // Collections and maps have their own encoding; field by field they could be built in an
            // inconsistent state (a size that does not match the elements).
            throw new IOException("malformed payload: collection " + name + " encoded as a plain object");
        }
        if (Throwable.class.isAssignableFrom(type)) {
            throw new IOException("payload carries exception " + name + " as a value; exceptions are not "
                    + "serializable with protostuff on Java 17 (the kernel reports remote exceptions by type and "
                    + "message instead)");
        }
        if (isPlatformClass(type)) {
            // This serializer never writes one so (each has a scalar, collection or delegate encoding), and
            // Unsafe writes to their private fields skip the checks their own code relies on: an Instant
            // past Instant.MAX, a String of odd UTF-16 length (found by ProtostuffPayloadFuzzTest).
            throw new IOException("malformed payload: " + name + " named as a plain object; JDK classes are only read "
                    + "through their own encodings (scalars, collections, java.time values), never field by field");
        }
        return (HasSchema<T>) getSchemaWrapper(type, true);
    }

    /** A class of the Java platform's own modules (java.*, jdk.*). */
    private static boolean isPlatformClass(Class<?> type) {
        Module module = type.getModule();
        return module.isNamed()
                && (module.getName().startsWith("java.") || module.getName().startsWith("jdk."));
    }

    @Override
    protected <T> Schema<T> writeMessageIdTo(Output output, int fieldNumber, Message<T> message) throws IOException {
        output.writeString(fieldNumber, message.getClass().getName(), false);
        return message.cachedSchema();
    }

    // ---- enums

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected EnumIO<? extends Enum<?>> getEnumIO(Class<?> enumClass) {
        // Not protostuff's EnumIO.ByName, which reads an unknown constant as null.
        return enums.computeIfAbsent(enumClass, c -> new StrictEnumIO(c, this));
    }

    @Override
    protected void writeEnumIdTo(Output output, int fieldNumber, Class<?> clazz) throws IOException {
        output.writeString(fieldNumber, clazz.getName(), false);
    }

    @Override
    protected EnumIO<?> resolveEnumFrom(Input input) throws IOException {
        String name = input.readString();
        Class<?> type = resolve(name, input);
        if (!type.isEnum()) {
            throw new IOException("malformed payload: " + name + " is not an enum");
        }
        return getEnumIO(type);
    }

    // ---- collections

    @Override
    protected CollectionSchema.MessageFactory getCollectionFactory(Class<?> clazz) {
        // A declared field type, not a payload's choice.
        CollectionSchema.MessageFactory jdk = jdkCollectionFactory(clazz);
        return jdk != null ? jdk : collections.computeIfAbsent(clazz, InstantiatingFactories.CollectionFactory::new);
    }

    @Override
    protected void writeCollectionIdTo(Output output, int fieldNumber, Class<?> clazz) throws IOException {
        output.writeString(fieldNumber, PortableCollections.idOf(clazz), false);
    }

    @Override
    protected CollectionSchema.MessageFactory resolveCollectionFrom(Input input) throws IOException {
        String name = input.readString();
        if (name.indexOf('.') < 0) {
            if (!CollectionSchema.MessageFactories.accept(name)) {
                throw new IOException("malformed payload: unknown collection id " + Shown.quoted(name));
            }
            CollectionSchema.MessageFactory factory = CollectionSchema.MessageFactories.valueOf(name);
            resolve(factory.typeClass().getName(), input);
            return factory;
        }
        Class<?> type = resolve(name, input);
        if (!Collection.class.isAssignableFrom(type) || !isConcrete(type)) {
            throw new IOException("malformed payload: " + name + " is not a concrete collection class");
        }
        return getCollectionFactory(type);
    }

    // ---- maps

    @Override
    protected MapSchema.MessageFactory getMapFactory(Class<?> clazz) {
        MapSchema.MessageFactory jdk = jdkMapFactory(clazz);
        return jdk != null ? jdk : maps.computeIfAbsent(clazz, InstantiatingFactories.MapFactory::new);
    }

    @Override
    protected void writeMapIdTo(Output output, int fieldNumber, Class<?> clazz) throws IOException {
        output.writeString(fieldNumber, PortableCollections.mapIdOf(clazz), false);
    }

    @Override
    protected MapSchema.MessageFactory resolveMapFrom(Input input) throws IOException {
        String name = input.readString();
        if (name.indexOf('.') < 0) {
            if (!MapSchema.MessageFactories.accept(name)) {
                throw new IOException("malformed payload: unknown map id " + Shown.quoted(name));
            }
            MapSchema.MessageFactory factory = MapSchema.MessageFactories.valueOf(name);
            resolve(factory.typeClass().getName(), input);
            return factory;
        }
        Class<?> type = resolve(name, input);
        if (!Map.class.isAssignableFrom(type) || !isConcrete(type)) {
            throw new IOException("malformed payload: " + name + " is not a concrete map class");
        }
        return getMapFactory(type);
    }

    // ---- delegates (JdkDelegates: java.time, UUID, BigDecimal)

    @Override
    public boolean isDelegateRegistered(Class<?> typeClass) {
        return delegates.containsKey(typeClass);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> HasDelegate<T> getDelegateWrapper(Class<? super T> typeClass) {
        return (HasDelegate<T>) delegates.get(typeClass);
    }

    @Override
    public <T> Delegate<T> getDelegate(Class<? super T> typeClass) {
        HasDelegate<T> wrapper = getDelegateWrapper(typeClass);
        return wrapper == null ? null : wrapper.delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> HasDelegate<T> tryWriteDelegateIdTo(Output output, int fieldNumber, Class<T> clazz)
            throws IOException {
        HasDelegate<T> wrapper = (HasDelegate<T>) delegates.get(clazz);
        if (wrapper != null) {
            output.writeString(fieldNumber, clazz.getName(), false);
        }
        return wrapper;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> HasDelegate<T> resolveDelegateFrom(Input input) throws IOException {
        String name = input.readString();
        HasDelegate<T> wrapper = (HasDelegate<T>) delegates.get(resolve(name, input));
        if (wrapper == null) {
            throw new IOException("malformed payload: no protostuff delegate for " + name);
        }
        return wrapper;
    }

    // ---- arrays and Class values

    @Override
    protected void writeArrayIdTo(Output output, Class<?> componentType) throws IOException {
        output.writeString(ID_ARRAY, componentType.getName(), false);
    }

    @Override
    protected Class<?> resolveArrayComponentTypeFrom(Input input, boolean mapped) throws IOException {
        Class<?> component = resolveComponent(input.readString(), input);
        // ObjectSchema reads the array's length and dimensions next; BoundedInput checks both.
        BoundedInput.of(input).expectArrayHeader();
        return component;
    }

    @Override
    protected void writeClassIdTo(Output output, Class<?> componentType, boolean array) throws IOException {
        output.writeString(array ? ID_CLASS_ARRAY : ID_CLASS, componentType.getName(), false);
    }

    @Override
    protected Class<?> resolveClassFrom(Input input, boolean mapped, boolean array) throws IOException {
        return resolveComponent(input.readString(), input);
    }

    // ---- piping: never used by ProtostuffSerializer

    @Override
    protected void transferCollectionId(Input input, Output output, int fieldNumber) {
        throw pipesUnsupported();
    }

    @Override
    protected void transferMapId(Input input, Output output, int fieldNumber) {
        throw pipesUnsupported();
    }

    @Override
    protected void transferEnumId(Input input, Output output, int fieldNumber) {
        throw pipesUnsupported();
    }

    @Override
    protected <T> HasSchema<T> transferPojoId(Input input, Output output, int fieldNumber) {
        throw pipesUnsupported();
    }

    @Override
    protected <T> HasDelegate<T> transferDelegateId(Input input, Output output, int fieldNumber) {
        throw pipesUnsupported();
    }

    @Override
    protected void transferArrayId(Input input, Output output, int fieldNumber, boolean mapped) {
        throw pipesUnsupported();
    }

    @Override
    protected void transferClassId(Input input, Output output, int fieldNumber, boolean mapped, boolean array) {
        throw pipesUnsupported();
    }

    private static UnsupportedOperationException pipesUnsupported() {
        return new UnsupportedOperationException("protostuff pipes are not supported by ProtostuffSerializer");
    }

    // ---- resolution

    /** The allowed class named {@code name}, or an IOException that says how to allow it. */
    private static Class<?> resolve(String name, Input input) throws IOException {
        AllowedTypes allowed = BoundedInput.of(input).allowedTypes();
        Class<?> type = allowed.resolve(name);
        if (type == null) {
            throw notAllowed(name);
        }
        return type;
    }

    static IOException notAllowed(String name) {
        return new IOException("payload names class " + Shown.plain(name) + ", which is not an allowed type; add it to "
                + "serializer.allowed-types or use it in an exported interface");
    }

    /**
     * An array component or a {@code Class} value: a primitive, an allowed class, or the component of an
     * allowed array class (so {@code Object[]}, allowed by default, admits {@code java.lang.Object}).
     */
    private static Class<?> resolveComponent(String name, Input input) throws IOException {
        Class<?> primitive = PRIMITIVES.get(name);
        if (primitive != null) {
            return primitive;
        }
        AllowedTypes allowed = BoundedInput.of(input).allowedTypes();
        Class<?> type = allowed.resolve(name);
        if (type != null) {
            return type;
        }
        Class<?> array = allowed.resolve("[L" + name + ";");
        if (array != null) {
            return array.getComponentType();
        }
        throw notAllowed(name);
    }

    private static boolean isConcrete(Class<?> type) {
        return !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
    }

    /** Protostuff's own factory for a java.util collection it knows by simple name, else null. */
    private static CollectionSchema.MessageFactory jdkCollectionFactory(Class<?> type) {
        String simpleName = type.getSimpleName();
        if (type.getName().startsWith("java.util") && CollectionSchema.MessageFactories.accept(simpleName)) {
            CollectionSchema.MessageFactory factory = CollectionSchema.MessageFactories.valueOf(simpleName);
            // Arrays$ArrayList is also "ArrayList"; only the public class itself, or an interface, maps.
            if (factory.typeClass() == type || type.isInterface()) {
                return factory;
            }
        }
        return null;
    }

    private static MapSchema.MessageFactory jdkMapFactory(Class<?> type) {
        String simpleName = type.getSimpleName();
        if (type.getName().startsWith("java.util") && MapSchema.MessageFactories.accept(simpleName)) {
            MapSchema.MessageFactory factory = MapSchema.MessageFactories.valueOf(simpleName);
            if (factory.typeClass() == type || type.isInterface()) {
                return factory;
            }
        }
        return null;
    }

    /** A pojo schema built on first use, checked by {@link TypeCheckedSchema} where fields need it. */
    private final class LazySchema<T> extends HasSchema<T> {

        private final Class<T> type;
        private volatile Schema<T> schema;

        LazySchema(Class<T> type, IdStrategy strategy) {
            super(strategy);
            this.type = type;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Schema<T> getSchema() {
            Schema<T> s = schema;
            if (s == null) {
                synchronized (this) {
                    s = schema;
                    if (s == null) {
                        if (Message.class.isAssignableFrom(type)) {
                            s = ((Message<T>) createMessageInstance(type)).cachedSchema();
                        } else {
                            s = TypeCheckedSchema.wrap(RuntimeSchema.createFrom(type, AllowListIdStrategy.this));
                        }
                        schema = s;
                    }
                }
            }
            return s;
        }

        @Override
        public Pipe.Schema<T> getPipeSchema() {
            throw pipesUnsupported();
        }
    }
}
