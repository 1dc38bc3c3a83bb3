package io.microrpc.kernel.testing;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;

/**
 * A test-scoped serializer (the kernel ships none): length-prefixed Java serialization that resolves
 * classes only through {@link AllowedTypes}. Tests only; not fast, not for production.
 */
public final class JavaTestSerializer implements Serializer {

    private final byte id;
    private final String name;

    public JavaTestSerializer() {
        this((byte) 100, "java-test");
    }

    public JavaTestSerializer(byte id, String name) {
        this.id = id;
        this.name = name;
    }

    @Override
    public byte id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(OutputStream out, Object value, Class<?> declaredType) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(value);
        }
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(bytes.size());
        bytes.writeTo(data);
        data.flush();
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("value of " + length + " bytes, only " + in.available() + " available");
        }
        byte[] bytes = data.readNBytes(length);
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                String n = desc.getName();
                Class<?> c = allowed.resolve(n);
                if (c != null) {
                    return c;
                }
                if (n.startsWith("[") || n.equals("java.lang.Number") || n.equals("java.lang.Enum")) {
                    return super.resolveClass(desc);
                }
                throw new InvalidClassException(n, "not an allowed type");
            }
        }) {
            return ois.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }
}
