/* kubelet.h - the node agent seam: one kubelet per node.
 *
 * K8S: pkg/kubelet. A kubelet registers its Node, keeps its Lease renewed
 * (the heartbeat the node lifecycle controller watches), and turns the
 * pods bound to its node into running containers, writing their status
 * back: phase, conditions, container states, restarts, Events.
 *
 * This header is the seam between the shared control plane and a backend.
 * kubelet_sim.c models containers from the scenario's image behaviours; a
 * real-mode kubelet (runtime/) will run processes in namespaces and
 * cgroups behind the same functions.
 */
#ifndef KUBELAB_KUBELET_H
#define KUBELAB_KUBELET_H

#include "api_node.h"
#include "client.h"
#include "image.h"

struct kubelet_options {
	const struct node *node;	/* registered as is (copied): name,
					 * labels, taints, capacity, allocatable */
	const struct image_behavior *images;	/* borrowed catalogue */
	size_t images_len;
	uint64_t seed;			/* pull-time jitter and the like */
};

struct kubelet;

/* Registers the node and starts serving its pods. client is borrowed and
 * must outlive the kubelet (its host names the node). */
struct kubelet *kubelet_new(const struct client *client,
			    const struct kubelet_options *options);
void kubelet_free(struct kubelet *kubelet);

/* Fault injection: the kubelet (and the node's network) goes away. It
 * stops heartbeating and stops acting on pods; containers are considered
 * gone. kubelet_resume brings it back: it re-registers status and
 * reconciles its pods (deleting those the API server marked for deletion,
 * restarting the rest). */
void kubelet_suspend(struct kubelet *kubelet);
void kubelet_resume(struct kubelet *kubelet);
bool kubelet_is_up(const struct kubelet *kubelet);

#endif
