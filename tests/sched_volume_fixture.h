/* sched_volume_fixture.h - a small world for the storage scheduler plugins'
 * tests: claims, volumes, classes and CSINodes in a store (the plugins read
 * them through the scheduler's client), nodes and bound pods in a
 * scheduler cache.
 *
 * Header-only (static inline) because the Makefile compiles only
 * tests/test_*.c, each as one suite.
 */
#ifndef KUBELAB_TESTS_SCHED_VOLUME_FIXTURE_H
#define KUBELAB_TESTS_SCHED_VOLUME_FIXTURE_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"

struct vworld {
	struct harness *h;
	struct sched_cache cache;
	int pods;			/* for unique pod names */
};

static inline void vw_init(struct vworld *w)
{
	w->h = h_new(0);
	sched_cache_init(&w->cache);
	w->pods = 0;
}

static inline void vw_release(struct vworld *w)
{
	sched_cache_release(&w->cache);
	h_free(w->h);
}

static inline void vw_push(void *list, const char *value)
{
	struct list_any *l = list;
	l->items = xrealloc(l->items, (l->len + 1) * sizeof(char *));
	((char **)l->items)[l->len++] = xstrdup(value);
}

/* A node; volumes_attached lists "kubernetes.io/csi/DRIVER^HANDLE" names,
 * NULL-terminated (NULL: none). */
static inline void vw_node(struct vworld *w, const char *name, const char *const *attached)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	n->obj.meta.uid = xstrdup(name);
	for (size_t i = 0; attached && attached[i]; i++) {
		n->status.volumes_attached.items =
			xrealloc(n->status.volumes_attached.items,
				 (i + 1) * sizeof(struct attached_volume));
		n->status.volumes_attached.items[i] =
			(struct attached_volume){ xstrdup(attached[i]), NULL };
		n->status.volumes_attached.len = i + 1;
	}
	sched_cache_set_node(&w->cache, n);
	object_unref(&n->obj);
}

/* A CSINode for node with one driver per name; count < 0: no count. */
static inline void vw_csi_node(struct vworld *w, const char *node, int64_t count,
			       const char *const *drivers)
{
	struct csi_node *c = (struct csi_node *)object_new(&csi_node_kind);
	c->obj.meta.name = xstrdup(node);
	for (size_t i = 0; drivers[i]; i++) {
		c->spec.drivers.items = xrealloc(c->spec.drivers.items,
						 (i + 1) * sizeof(struct csi_node_driver));
		struct csi_node_driver *d = &c->spec.drivers.items[i];
		memset(d, 0, sizeof(*d));
		d->name = xstrdup(drivers[i]);
		d->node_id = xstrdup(node);
		if (count >= 0)
			d->allocatable.count = (struct opt_int64){ true, count };
		c->spec.drivers.len = i + 1;
	}
	h_default(&c->obj);
	h_create(w->h, &c->obj);
}

static inline void vw_class(struct vworld *w, const char *name, const char *provisioner)
{
	struct storage_class *sc = (struct storage_class *)object_new(&storage_class_kind);
	sc->obj.meta.name = xstrdup(name);
	sc->provisioner = xstrdup(provisioner);
	h_default(&sc->obj);
	h_create(w->h, &sc->obj);
}

/* A CSI volume of driver whose handle is its name. */
static inline void vw_volume(struct vworld *w, const char *name, const char *driver)
{
	struct persistent_volume *pv =
		(struct persistent_volume *)object_new(&persistent_volume_kind);
	pv->obj.meta.name = xstrdup(name);
	vw_push(&pv->spec.access_modes, "ReadWriteOnce");
	pv->spec.csi.driver = xstrdup(driver);
	pv->spec.csi.volume_handle = xstrdup(name);
	h_default(&pv->obj);
	h_create(w->h, &pv->obj);
}

/* A claim in "default": class and volume may be NULL (unset); mode is its
 * access mode. */
static inline void vw_claim(struct vworld *w, const char *name, const char *class,
			    const char *volume, const char *mode)
{
	struct persistent_volume_claim *pvc =
		(struct persistent_volume_claim *)object_new(&persistent_volume_claim_kind);
	pvc->obj.meta.name = xstrdup(name);
	pvc->obj.meta.namespace = xstrdup("default");
	vw_push(&pvc->spec.access_modes, mode);
	if (class)
		pvc->spec.storage_class_name = xstrdup(class);
	if (volume)
		pvc->spec.volume_name = xstrdup(volume);
	h_default(&pvc->obj);
	h_create(w->h, &pvc->obj);
}

/* A pod in "default" mounting the claims named (NULL-terminated list);
 * caller unrefs. */
static inline struct pod *vw_pod(struct vworld *w, const char *const *claims)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xasprintf("pod-%d", w->pods);
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xasprintf("uid-%d", w->pods++);
	for (size_t i = 0; claims && claims[i]; i++) {
		p->spec.volumes.items = xrealloc(p->spec.volumes.items,
						 (i + 1) * sizeof(struct volume));
		memset(&p->spec.volumes.items[i], 0, sizeof(struct volume));
		p->spec.volumes.items[i].name = xasprintf("vol-%zu", i);
		p->spec.volumes.items[i].persistent_volume_claim.claim_name = xstrdup(claims[i]);
		p->spec.volumes.len = i + 1;
	}
	return p;
}

/* The same, bound to node and booked in the cache. */
static inline void vw_bound_pod(struct vworld *w, const char *node, const char *const *claims)
{
	struct pod *p = vw_pod(w, claims);
	p->spec.node_name = xstrdup(node);
	sched_cache_add_pod(&w->cache, p);
	object_unref(&p->obj);
}

/* PreFilter then (unless it skipped or rejected) Filter of plugin on node.
 * *pre gets PreFilter's code; reason (size bytes) the first reason or "". */
static inline enum sched_code vw_run(struct vworld *w, const struct sched_plugin *pl,
				     const struct pod *pod, const char *node,
				     enum sched_code *pre, char *reason, size_t size)
{
	struct sched_state state;
	sched_state_init(&state, pod, &w->cache);
	state.client = &w->h->actor;
	struct sched_status status;
	sched_status_reset(&status);
	enum sched_code code = pl->pre_filter(&state, pod, &status);
	*pre = code;
	if (code == SCHED_SKIP) {
		code = SCHED_SUCCESS;
	} else if (code == SCHED_SUCCESS) {
		sched_status_reset(&status);
		code = pl->filter(&state, pod, sched_cache_node(&w->cache, node), &status);
	}
	snprintf(reason, size, "%s", status.reasons_len ? status.reasons[0] : "");
	sched_state_release(&state);
	return code;
}

#define VW_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

#endif
