/* sched_reference_internal.h - what the reference scheduler's files
 * share (tests only; see sched_reference.h for the interface).
 *
 * A plugin of the reference is a filter function, a score function, or
 * both, listed in ref_plugins[] (sched_reference.c). It gets the cycle
 * (the cluster and the pod) and nodes as struct ref_node: a node with the
 * pods counted on it -- its bound pods, plus, in the first Filter pass,
 * the pods nominated to it.
 */
#ifndef KUBELAB_TESTS_SCHED_REFERENCE_INTERNAL_H
#define KUBELAB_TESTS_SCHED_REFERENCE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched_reference.h"

struct ref_node {
	const struct node *node;
	const struct pod **pods;	/* owned array, borrowed pods */
	size_t pods_len;
};

struct ref_cycle {
	const struct sched_ref_cluster *c;
	const struct pod *pod;
};

/* Filter: SCHED_SUCCESS, or a rejection written into v with ref_reject. */
typedef enum sched_code (*ref_filter_fn)(const struct ref_cycle *cy, const struct ref_node *n,
					 struct sched_ref_verdict *v);
/* Score: raw[i] and normalized[i] for nodes[0..len); false when the
 * plugin's PreScore would say Skip. */
typedef bool (*ref_score_fn)(const struct ref_cycle *cy, const struct ref_node *nodes,
			     size_t len, int64_t *raw, int64_t *normalized);

/* ---- sched_reference.c --------------------------------------------------- */
bool ref_str_eq(const char *a, const char *b);	/* NULL counts as "" */
bool ref_is_bound(const struct pod *pod);		/* spec.nodeName set */
/* Adds a reason (", "-joined) and raises v's code to code. */
enum sched_code ref_reject(struct sched_ref_verdict *v, enum sched_code code,
			   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* K8S: schedutil.IsScalarResourceName */
bool ref_is_scalar_resource(const char *name);
/* K8S: resource.PodRequests of one resource (cpu in millicores); floor:
 * the 100m / 200Mi of a container that names no cpu / memory. */
int64_t ref_pod_request(const struct pod *pod, const char *name, bool floor);
int64_t ref_allocatable_of(const struct node *node, const char *name);
/* The sum of ref_pod_request over the pods counted on n. */
int64_t ref_node_requested(const struct ref_node *n, const char *name, bool floor);
/* The scalar resources the pod's containers name, sorted; returns how many. */
size_t ref_pod_scalar_names(const struct pod *pod, const char **out, size_t cap);
bool ref_tolerates(const struct toleration *t, const struct taint *taint);
bool ref_pod_tolerates(const struct pod *pod, const struct taint *taint);

/* ---- sched_reference_plugins.c ------------------------------------------- */
/* K8S: RequiredNodeAffinity.Match (nodeSelector and required terms). */
bool ref_required_node_affinity_matches(const struct pod *pod, const struct node *node);
enum sched_code ref_filter_node_unschedulable(const struct ref_cycle *cy,
					      const struct ref_node *n,
					      struct sched_ref_verdict *v);
enum sched_code ref_filter_node_name(const struct ref_cycle *cy, const struct ref_node *n,
				     struct sched_ref_verdict *v);
enum sched_code ref_filter_taint_toleration(const struct ref_cycle *cy,
					    const struct ref_node *n,
					    struct sched_ref_verdict *v);
enum sched_code ref_filter_node_affinity(const struct ref_cycle *cy, const struct ref_node *n,
					 struct sched_ref_verdict *v);
enum sched_code ref_filter_node_ports(const struct ref_cycle *cy, const struct ref_node *n,
				      struct sched_ref_verdict *v);
enum sched_code ref_filter_fit(const struct ref_cycle *cy, const struct ref_node *n,
			       struct sched_ref_verdict *v);
bool ref_score_taint_toleration(const struct ref_cycle *cy, const struct ref_node *nodes,
				size_t len, int64_t *raw, int64_t *normalized);
bool ref_score_node_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
			     size_t len, int64_t *raw, int64_t *normalized);
bool ref_score_fit(const struct ref_cycle *cy, const struct ref_node *nodes, size_t len,
		   int64_t *raw, int64_t *normalized);
bool ref_score_balanced(const struct ref_cycle *cy, const struct ref_node *nodes,
			size_t len, int64_t *raw, int64_t *normalized);
bool ref_score_image_locality(const struct ref_cycle *cy, const struct ref_node *nodes,
			      size_t len, int64_t *raw, int64_t *normalized);

/* ---- sched_reference_pods.c ---------------------------------------------- */
enum sched_code ref_filter_topology_spread(const struct ref_cycle *cy,
					   const struct ref_node *n,
					   struct sched_ref_verdict *v);
enum sched_code ref_filter_inter_pod_affinity(const struct ref_cycle *cy,
					      const struct ref_node *n,
					      struct sched_ref_verdict *v);
bool ref_score_topology_spread(const struct ref_cycle *cy, const struct ref_node *nodes,
			       size_t len, int64_t *raw, int64_t *normalized);
bool ref_score_inter_pod_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
				  size_t len, int64_t *raw, int64_t *normalized);

#endif
