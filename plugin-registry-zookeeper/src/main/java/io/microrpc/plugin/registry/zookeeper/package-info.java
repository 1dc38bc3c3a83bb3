/**
 * The ZooKeeper registry plugin: {@link io.microrpc.plugin.registry.zookeeper.ZookeeperRegistry}, named
 * {@code zookeeper}, and its parts: the node layout and format, provider registrations, consumer
 * watches with their snapshots, typed settings and the embedded server. Everything but the extension
 * class is package-private. docs/REGISTRY.md describes the behaviour.
 */
package io.microrpc.plugin.registry.zookeeper;
