package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.transport.ClientTransport;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.List;

/** Endpoints from a fixed list of {@code host:port} addresses: no registry needed. */
final class DirectDirectory implements Directory {

    private final List<EndpointImpl> endpoints;
    private final List<Endpoint> single;
    private final ReadyEndpoints ready = new ReadyEndpoints();

    DirectDirectory(String service, List<HostPort> addresses, ClientTransport transport) {
        List<EndpointImpl> list = new ArrayList<>();
        for (HostPort a : addresses) {
            ServiceInstance instance =
                    ServiceInstance.builder(service, a.host(), a.port()).build();
            list.add(new EndpointImpl(instance, transport.connection(a.host(), a.port())));
        }
        this.endpoints = List.copyOf(list);
        this.single = endpoints.size() == 1 ? List.of(endpoints.get(0)) : null;
    }

    @Override
    public List<Endpoint> ready() {
        if (single != null) {
            return endpoints.get(0).isReady() ? single : List.of();
        }
        return ready.of(endpoints);
    }

    @Override
    public List<? extends Endpoint> all() {
        return endpoints;
    }

    List<EndpointImpl> endpoints() {
        return endpoints;
    }

    @Override
    public String describe() {
        return "addresses " + endpoints;
    }

    @Override
    public void close() {
        // Connections are shared per address and owned by the transport.
    }
}
