/* cluster_internal.h - what the sim backend's own files share. INTERNAL.
 *
 * K8S: no single upstream counterpart: struct cluster stands for the
 * whole of a running cluster (kind's or kubeadm's job of bringing one up,
 * plus the kubectl user the scenario's timeline plays).
 *
 * The sim backend (cluster.h) is split by concept:
 *   cluster.c           start-up, the control plane, expectations, the run;
 *   cluster_nodes.c     the nodes of the pools and their kubelets;
 *   cluster_timeline.c  running the timeline's actions.
 * Only those files include this header; everyone else sees the opaque
 * struct cluster of cluster.h. Nothing here is a stable interface.
 *
 * Invariants: c->nodes has room for every node the run makes (kubelets
 * keep &nodes[i].client, so it never moves); c->actor is the scenario's
 * own client, the one every timeline action writes through.
 */
#ifndef KUBELAB_CLUSTER_INTERNAL_H
#define KUBELAB_CLUSTER_INTERNAL_H

#include "cluster.h"
#include "controller.h"
#include "engine.h"
#include "metrics_sim.h"
#include "sched.h"

struct drain;
struct kubelet;

struct component {
	struct client client;
	const struct controller_ops *ops;	/* NULL for the scheduler */
	void *state;
};

struct node_agent {
	struct client client;
	char *name;
	struct kubelet *kubelet;
	timer_id resume_timer;
};

struct timeline_step {
	struct cluster *cluster;
	const struct action *action;
};

struct cluster {
	const struct scenario *scenario;
	struct run_options options;
	uint64_t seed;
	ktime_t start, end;
	struct engine *engine;
	struct clock clock;
	struct store *store;
	struct metrics_sim *metrics;	/* metrics-server, from spec.traffic */
	struct client actor;		/* the scenario's own client ("kubectl") */
	struct controller_settings controller_settings;	/* from spec.settings */
	struct component *controllers;
	size_t controllers_len;
	struct client scheduler_client;
	struct scheduler *scheduler;
	struct node_agent *nodes;	/* room for every node the run makes:
					 * kubelets keep &nodes[i].client */
	size_t nodes_len, nodes_cap;
	int32_t *pool_next;		/* per pool: the number of its last node */
	struct timeline_step *steps;
	struct drain **drains;		/* the timeline's drains, running or done */
	size_t drains_len;
	struct expectation *expects;	/* shallow copies with own results */
	size_t expects_len;
	int64_t checked_rv;		/* store version last checked */
	bool truncated;
};

/* cluster.c: fills *client as component's client of the run (host: the
 * node a kubelet runs on, else NULL); nothing is allocated. */
void cluster_init_client(struct cluster *c, struct client *client,
			 const char *component, const char *host);

/* cluster_nodes.c: start every pool's initial nodes (allocating room for
 * all nodes, added ones included); start node index of pool (room must
 * be left); find a started node by name (NULL if none). */
void cluster_start_nodes(struct cluster *c);
void cluster_start_node(struct cluster *c, const struct node_pool *pool, int index);
struct node_agent *cluster_find_node(struct cluster *c, const char *name);

/* cluster_timeline.c: one engine timer per timeline action, at its time
 * from the start. */
void cluster_schedule_timeline(struct cluster *c);

#endif
