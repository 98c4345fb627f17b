package tandem.app.node;

/** What a node does in the cluster; the string is the Pekko Cluster role. */
public enum Role {
    COORDINATOR("coordinator"), DATA("data"), GPU("gpu"),
    /** Submits experiments and listens to them; runs no actor of its own (local mode's main node). */
    CLIENT("client");

    public final String clusterRole;

    Role(String clusterRole) {
        this.clusterRole = clusterRole;
    }
}
