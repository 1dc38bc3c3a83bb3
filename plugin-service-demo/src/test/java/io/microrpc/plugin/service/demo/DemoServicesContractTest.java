package io.microrpc.plugin.service.demo;

import io.microrpc.spi.ServiceProvider;
import io.microrpc.testkit.ServiceProviderContractTest;

class DemoServicesContractTest extends ServiceProviderContractTest {

    @Override
    protected ServiceProvider newProvider() {
        return new DemoServices();
    }
}
