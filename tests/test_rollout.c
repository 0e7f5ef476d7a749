/* test_rollout.c - kubectl rollout undo, history and status (sim/rollout.c),
 * and the timeline's rollback: action.
 *
 * Undo and history run in a controller harness (ReplicaSet and Deployment
 * controllers, pods made ready by the test), so the revisions are the ones
 * the real controller numbers. Status is checked on Deployments whose
 * status the test writes, one moment of a rollout per case, and on a
 * harness whose pods never become ready. The rollback: action is loaded
 * from tests/data and played in a full cluster run.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "ctrl_deployment.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"
#include "rollout.h"
#include "scenario.h"
#include "trace.h"

Suite *rollout_suite(void);

static struct harness *cluster(void)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_start(h, "deployment-controller");
	h_auto_ready(h, 2 * S);
	return h;
}

static const struct deployment *web(struct harness *h)
{
	return (const struct deployment *)h_get(h, KIND_DEPLOYMENT, "default", "web");
}

static const char *image_of(const struct deployment *d)
{
	return d->spec.template.spec.containers.items[0].image;
}

static void image_fn(struct object *obj, void *arg)
{
	struct deployment *d = (struct deployment *)obj;
	free(d->spec.template.spec.containers.items[0].image);
	d->spec.template.spec.containers.items[0].image = xstrdup(arg);
}

static void cause_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.annotations, CHANGE_CAUSE_ANNOTATION, arg);
}

static void pause_fn_true(struct object *obj, void *arg)
{
	(void)arg;
	((struct deployment *)obj)->spec.paused = true;
}

/* What the scheduler writes when no node fits. */
static void unschedulable_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct pod *pod = (struct pod *)obj;
	struct condition c = {
		.type = xstrdup("PodScheduled"), .status = xstrdup("False"),
		.reason = xstrdup("Unschedulable"),
		.message = xstrdup("0/3 nodes are available: 3 Insufficient cpu."),
	};
	ctrl_condition_put(&pod->status.conditions, &c);
}

/* A rollout to image, recorded with that change cause, run to its end. */
static void roll_to(struct harness *h, const char *image, const char *cause)
{
	h_update(h, KIND_DEPLOYMENT, "default", "web", image_fn, (void *)image, false);
	if (cause)
		h_update(h, KIND_DEPLOYMENT, "default", "web", cause_fn, (void *)cause, false);
	h_run_for(h, 30 * S);
}

/* web at revision 1 (web:v1), 2 (web:v2) and, if three, 3 (web:v3). */
static struct harness *with_revisions(int revisions, bool causes)
{
	struct harness *h = cluster();
	struct deployment *d = h_deployment("web", 2);
	if (causes)
		strmap_set(&d->obj.meta.annotations, CHANGE_CAUSE_ANNOTATION, "create web:v1");
	h_create(h, &d->obj);
	h_run_for(h, 30 * S);
	if (revisions >= 2)
		roll_to(h, "web:v2", causes ? "set image web:v2" : NULL);
	if (revisions >= 3)
		roll_to(h, "web:v3", causes ? "set image web:v3" : NULL);
	return h;
}

static char *history_text(struct harness *h)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	rollout_history(h->store, web(h), out);
	fclose(out);
	return text;
}

/* The ReplicaSet of that revision, or NULL. */
static const struct replica_set *revision_set(struct harness *h, const char *revision)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_REPLICASET, web(h)->obj.meta.uid, &list);
	const struct object *found = NULL;
	for (size_t i = 0; i < list.len; i++) {
		const char *r = strmap_get(&list.items[i]->meta.annotations, REVISION_ANNOTATION);
		if (r && !strcmp(r, revision))
			found = list.items[i];
	}
	object_list_release(&list);
	return (const struct replica_set *)found;
}

/* ---- undo ---------------------------------------------------------------- */

START_TEST(test_undo_restores_the_previous_template_as_the_next_revision)
{
	struct harness *h = with_revisions(2, false);
	ck_assert_str_eq(image_of(web(h)), "web:v2");
	struct api_status status;
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 0, &status), API_OK);
	ck_assert_str_eq(status.message, "rolled back");
	const struct deployment *d = web(h);
	ck_assert_str_eq(image_of(d), "web:v1");
	/* The hash label belongs to the ReplicaSet, not the Deployment. */
	ck_assert(!strmap_has(&d->spec.template.metadata.labels, POD_TEMPLATE_HASH_LABEL));
	ck_assert_str_eq(strmap_get(&d->spec.template.metadata.labels, "app"), "web");

	h_run_for(h, 30 * S);
	d = web(h);
	ck_assert_str_eq(strmap_get(&d->obj.meta.annotations, REVISION_ANNOTATION), "3");
	const struct replica_set *rs = revision_set(h, "3");
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(rs->spec.template.spec.containers.items[0].image, "web:v1");
	ck_assert_str_eq(strmap_get(&rs->obj.meta.annotations, REVISION_HISTORY_ANNOTATION), "1");
	ck_assert_int_eq(rs->spec.replicas, 2);
	ck_assert_ptr_null(revision_set(h, "1"));
	ck_assert_int_eq(d->status.available_replicas, 2);
	ck_assert_int_eq(d->status.updated_replicas, 2);
	h_free(h);
}
END_TEST

START_TEST(test_undo_to_a_revision_restores_its_template_and_change_cause)
{
	struct harness *h = with_revisions(3, true);
	struct api_status status;
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 1, &status), API_OK);
	const struct deployment *d = web(h);
	ck_assert_str_eq(image_of(d), "web:v1");
	/* kubectl replaces the annotations with the ReplicaSet's, but keeps
	 * the Deployment's own revision until the controller moves it. */
	ck_assert_str_eq(strmap_get(&d->obj.meta.annotations, CHANGE_CAUSE_ANNOTATION),
			 "create web:v1");
	ck_assert_str_eq(strmap_get(&d->obj.meta.annotations, REVISION_ANNOTATION), "3");
	ck_assert(!strmap_has(&d->obj.meta.annotations, DESIRED_REPLICAS_ANNOTATION));
	h_run_for(h, 30 * S);
	ck_assert_str_eq(strmap_get(&web(h)->obj.meta.annotations, REVISION_ANNOTATION), "4");
	ck_assert_str_eq(image_of(web(h)), "web:v1");
	h_free(h);
}
END_TEST

START_TEST(test_undo_errors_are_worded_as_kubectl)
{
	struct harness *h = with_revisions(2, false);
	struct api_status status;
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 5, &status), API_NOT_FOUND);
	ck_assert_str_eq(status.message, "unable to find specified revision 5 in history");
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 2, &status), API_OK);
	ck_assert_str_eq(status.message,
			 "skipped rollback (current template already matches revision 2)");
	ck_assert_str_eq(image_of(web(h)), "web:v2");
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "nope", 0, &status), API_NOT_FOUND);
	ck_assert_str_eq(status.message, "deployments.apps \"nope\" not found");
	h_free(h);
}
END_TEST

START_TEST(test_undo_without_history_or_while_paused_is_refused)
{
	struct harness *h = with_revisions(1, false);
	struct api_status status;
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 0, &status), API_NOT_FOUND);
	ck_assert_str_eq(status.message, "no rollout history found for deployment \"web\"");
	h_free(h);

	h = with_revisions(2, false);
	h_update(h, KIND_DEPLOYMENT, "default", "web", pause_fn_true, NULL, false);
	int64_t rv = web(h)->obj.meta.resource_version;
	ck_assert_int_eq(rollout_undo(&h->actor, "default", "web", 1, &status), API_INVALID);
	ck_assert_str_eq(status.message, "you cannot rollback a paused deployment; resume "
			 "it first with 'kubectl rollout resume deployment/web' and try again");
	ck_assert_int_eq(web(h)->obj.meta.resource_version, rv);
	h_free(h);
}
END_TEST

/* ---- history ------------------------------------------------------------- */

START_TEST(test_history_lists_revisions_with_their_change_cause)
{
	struct harness *h = with_revisions(3, true);
	char *text = history_text(h);
	ck_assert_str_eq(text, "REVISION  CHANGE-CAUSE\n"
			       "1         create web:v1\n"
			       "2         set image web:v2\n"
			       "3         set image web:v3\n");
	free(text);
	h_free(h);

	h = with_revisions(2, false);
	struct api_status status;
	rollout_undo(&h->actor, "default", "web", 0, &status);
	h_run_for(h, 30 * S);
	text = history_text(h);
	ck_assert_str_eq(text, "REVISION  CHANGE-CAUSE\n"
			       "2         <none>\n"
			       "3         <none>\n");
	free(text);
	h_free(h);
}
END_TEST

START_TEST(test_history_of_a_deployment_without_replica_sets_says_so)
{
	struct harness *h = h_new(0);	/* no controller: no ReplicaSet */
	h_create(h, &h_deployment("web", 1)->obj);
	char *text = history_text(h);
	ck_assert_str_eq(text, "No rollout history found.\n");
	free(text);
	h_free(h);
}
END_TEST

/* ---- status -------------------------------------------------------------- */

struct moment {
	int64_t generation, observed;
	int32_t replicas, updated, available;
	const char *progressing_reason;
	enum rollout_state state;
	const char *message;
};

START_TEST(test_status_messages_follow_the_moments_of_a_rollout)
{
	static const struct moment moments[] = {
		{2, 1, 3, 3, 3, NULL, ROLLOUT_WAITING,
		 "Waiting for deployment spec update to be observed..."},
		{2, 2, 4, 1, 3, "ReplicaSetUpdated", ROLLOUT_WAITING,
		 "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new "
		 "replicas have been updated..."},
		{2, 2, 4, 3, 3, "ReplicaSetUpdated", ROLLOUT_WAITING,
		 "Waiting for deployment \"web\" rollout to finish: 1 old replicas are "
		 "pending termination..."},
		{2, 2, 3, 3, 1, "ReplicaSetUpdated", ROLLOUT_WAITING,
		 "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated "
		 "replicas are available..."},
		{2, 2, 3, 3, 3, "NewReplicaSetAvailable", ROLLOUT_DONE,
		 "deployment \"web\" successfully rolled out"},
		{2, 2, 4, 1, 3, "ProgressDeadlineExceeded", ROLLOUT_FAILED,
		 "deployment \"web\" exceeded its progress deadline"},
	};
	struct harness *h = h_new(0);
	for (size_t i = 0; i < sizeof(moments) / sizeof(moments[0]); i++) {
		const struct moment *m = &moments[i];
		struct deployment *d = h_deployment("web", 3);
		d->obj.meta.generation = m->generation;
		d->status.observed_generation = m->observed;
		d->status.replicas = m->replicas;
		d->status.updated_replicas = m->updated;
		d->status.available_replicas = m->available;
		if (m->progressing_reason) {
			struct condition c = {
				.type = xstrdup("Progressing"),
				.status = xstrdup(strcmp(m->progressing_reason,
							 REASON_TIMED_OUT) ? "True" : "False"),
				.reason = xstrdup(m->progressing_reason),
			};
			ctrl_condition_put(&d->status.conditions, &c);
		}
		char *message = NULL;
		ck_assert_int_eq(rollout_status(h->store, d, &message), m->state);
		ck_assert_str_eq(message, m->message);
		free(message);
		object_unref(&d->obj);
	}
	h_free(h);
}
END_TEST

START_TEST(test_status_warns_of_pods_that_cannot_be_scheduled)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_start(h, "deployment-controller");
	h_create(h, &h_deployment("web", 2)->obj);
	h_run_for(h, 5 * S);
	char *message = NULL;
	ck_assert_int_eq(rollout_status(h->store, web(h), &message), ROLLOUT_WAITING);
	ck_assert_str_eq(message, "Waiting for deployment \"web\" rollout to finish: "
			 "0 of 2 updated replicas are available...");
	free(message);

	/* Play the scheduler: one pod is Unschedulable. */
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, "default", NULL, &pods);
	ck_assert_uint_eq(pods.len, 2);
	char *name = xstrdup(pods.items[1]->meta.name);
	object_list_release(&pods);
	h_update(h, KIND_POD, "default", name, unschedulable_fn, NULL, true);
	free(name);
	rollout_status(h->store, web(h), &message);
	ck_assert_str_eq(message, "Waiting for deployment \"web\" rollout to finish: "
			 "0 of 2 updated replicas are available... (Warning: 0/3 nodes "
			 "are available: 3 Insufficient cpu.)");
	free(message);
	h_free(h);
}
END_TEST

/* ---- the timeline's rollback: -------------------------------------------- */

static const char *data(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s",
		 access("data/rollback.yaml", R_OK) == 0 ? "data" : "tests/data", name);
	return path;
}

START_TEST(test_rollback_entries_load_with_their_revision)
{
	struct diag_list diags = {0};
	struct scenario *s = scenario_load(data("rollback.yaml"), &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(s);
	size_t n = 0;
	static const int64_t want[] = {1, 0, 5, 9};
	for (size_t i = 0; i < s->timeline.len; i++) {
		const struct action *a = &s->timeline.items[i];
		if (a->type != ACTION_ROLLBACK)
			continue;
		ck_assert_uint_lt(n, 4);
		ck_assert_int_eq(a->kind, KIND_DEPLOYMENT);
		ck_assert_str_eq(a->name, "web");
		ck_assert_str_eq(a->namespace, "default");
		ck_assert_int_eq(a->to_revision, want[n++]);
	}
	ck_assert_uint_eq(n, 4);
	scenario_free(s);
	diag_release(&diags);
}
END_TEST

START_TEST(test_bad_rollback_entries_are_refused_with_positions)
{
	static const struct {
		int line, column;
		const char *words;
	} want[] = {
		{10, 25, "spec.timeline[0].rollback: cannot roll back a Pod: kubelab "
			 "keeps rollout history for deployments, statefulsets and "
			 "daemonsets only"},
		{11, 42, "spec.timeline[1].rollback[deployment/web]: expected a revision "
			 "number (1 or more), got the integer 0"},
		{12, 42, "spec.timeline[2].rollback[deployment/web]: expected a revision "
			 "number (1 or more), got \"two\""},
		{13, 25, "spec.timeline[3].rollback: expected KIND/NAME such as "
			 "deployment/web, got \"web\""},
	};
	struct diag_list diags = {0};
	ck_assert_ptr_null(scenario_load(data("rollback-bad.yaml"), &diags));
	ck_assert_uint_eq(diags.len, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(diags.items[i].line, want[i].line);
		ck_assert_int_eq(diags.items[i].column, want[i].column);
		ck_assert_str_eq(diags.items[i].msg, want[i].words);
	}
	diag_release(&diags);
}
END_TEST

/* The whole run: every expectation of rollback.yaml holds, and the trace
 * records each rollback's outcome in kubectl's words. */
START_TEST(test_rollback_action_undoes_in_a_cluster_run)
{
	struct diag_list diags = {0};
	struct scenario *s = scenario_load(data("rollback.yaml"), &diags);
	ck_assert_ptr_nonnull(s);
	char name[] = "/tmp/kubelab-rollout-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct err *err = NULL;
	struct trace *trace = trace_open(name, TRACE_FULL, &err);
	ck_assert_ptr_nonnull(trace);
	struct run_options options = {.record_events = true, .trace = trace};
	struct cluster *c = cluster_new(s, &options);
	ck_assert_int_eq(cluster_run(c), 0);

	const struct deployment *d = (const struct deployment *)
		store_get(cluster_store(c), KIND_DEPLOYMENT, "default", "web");
	char *history = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&history, &len);
	rollout_history(cluster_store(c), d, out);
	fclose(out);
	ck_assert_str_eq(history, "REVISION  CHANGE-CAUSE\n"
				  "2         <none>\n"
				  "4         <none>\n"
				  "5         <none>\n");
	free(history);
	cluster_free(c);
	trace_close(trace);
	scenario_free(s);
	diag_release(&diags);

	FILE *in = fopen(name, "r");
	ck_assert_ptr_nonnull(in);
	char line[4096];
	const char *outcomes[] = {
		"\"detail\":\"to revision 1\",\"outcome\":\"rolled back\"",
		"\"target\":\"deployment/web\",\"outcome\":\"rolled back\"",
		"\"outcome\":\"skipped rollback (current template already matches revision 5)\"",
		"\"outcome\":\"unable to find specified revision 9 in history\"",
	};
	size_t seen = 0;
	while (fgets(line, sizeof(line), in))
		if (strstr(line, "\"action\":\"rollback\"")) {
			ck_assert_uint_lt(seen, 4);
			ck_assert_msg(strstr(line, outcomes[seen]), "%s", line);
			seen++;
		}
	fclose(in);
	unlink(name);
	ck_assert_uint_eq(seen, 4);
}
END_TEST

Suite *rollout_suite(void)
{
	Suite *s = suite_create("rollout");
	TCase *undo = tcase_create("undo");
	tcase_add_test(undo, test_undo_restores_the_previous_template_as_the_next_revision);
	tcase_add_test(undo, test_undo_to_a_revision_restores_its_template_and_change_cause);
	tcase_add_test(undo, test_undo_errors_are_worded_as_kubectl);
	tcase_add_test(undo, test_undo_without_history_or_while_paused_is_refused);
	suite_add_tcase(s, undo);
	TCase *history = tcase_create("history");
	tcase_add_test(history, test_history_lists_revisions_with_their_change_cause);
	tcase_add_test(history, test_history_of_a_deployment_without_replica_sets_says_so);
	suite_add_tcase(s, history);
	TCase *status = tcase_create("status");
	tcase_add_test(status, test_status_messages_follow_the_moments_of_a_rollout);
	tcase_add_test(status, test_status_warns_of_pods_that_cannot_be_scheduled);
	suite_add_tcase(s, status);
	TCase *timeline = tcase_create("timeline");
	tcase_add_test(timeline, test_rollback_entries_load_with_their_revision);
	tcase_add_test(timeline, test_bad_rollback_entries_are_refused_with_positions);
	tcase_add_test(timeline, test_rollback_action_undoes_in_a_cluster_run);
	suite_add_tcase(s, timeline);
	return s;
}
