/* test_sched_node_ports.c - NodePorts and the cache's used host ports.
 *
 * The conflict table is upstream's node_ports_test.go (TestNodePorts):
 * same ports, protocols and host IPs, same verdicts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_harness.h"

Suite *sched_node_ports_suite(void);

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define REASON "node(s) didn't have free ports for the requested pod ports"

/* Adds "PROTO/IP/PORT,..." as host ports to the first container of p
 * (IP "" for none, PROTO "" for none). */
static void add_ports(struct pod *p, const char *list)
{
	if (p->spec.containers.len == 0) {
		struct container *c = HARNESS_APPEND(p->spec.containers);
		c->name = xstrdup("app");
	}
	struct container *c = &p->spec.containers.items[0];
	char *copy = xstrdup(list), *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char proto[16], ip[64];
		int port;
		char *a = strchr(item, '/'), *b = a ? strchr(a + 1, '/') : NULL;
		ck_assert_msg(a && b, "bad port '%s'", item);
		snprintf(proto, sizeof(proto), "%.*s", (int)(a - item), item);
		snprintf(ip, sizeof(ip), "%.*s", (int)(b - a - 1), a + 1);
		port = atoi(b + 1);
		struct container_port *cp = HARNESS_APPEND(c->ports);
		cp->container_port = port;
		cp->host_port = port;
		cp->protocol = *proto ? xstrdup(proto) : NULL;
		cp->host_ip = *ip ? xstrdup(ip) : NULL;
	}
	free(copy);
}

static struct pod *port_pod(const char *name, const char *ports)
{
	struct pod *p = harness_pod(name, "-");
	if (ports)
		add_ports(p, ports);
	return p;
}

START_TEST(test_node_ports_matches_upstream_table)
{
	static const struct {
		const char *what, *pod, *existing;
		bool fits;
	} cases[] = {
		{ "nothing running", NULL, NULL, true },
		{ "other port", "UDP/127.0.0.1/8080", "UDP/127.0.0.1/9090", true },
		{ "same udp port", "UDP/127.0.0.1/8080", "UDP/127.0.0.1/8080", false },
		{ "same tcp port", "TCP/127.0.0.1/8080", "TCP/127.0.0.1/8080", false },
		{ "different host ip", "TCP/127.0.0.1/8080", "TCP/127.0.0.2/8080", true },
		{ "different protocol", "UDP/127.0.0.1/8080", "TCP/127.0.0.1/8080", true },
		{ "second udp port conflict", "UDP/127.0.0.1/8000,UDP/127.0.0.1/8080",
		  "UDP/127.0.0.1/8001,UDP/127.0.0.1/8080", false },
		{ "first tcp port conflict", "TCP/127.0.0.1/8001,UDP/127.0.0.1/8080",
		  "TCP/127.0.0.1/8001,UDP/127.0.0.1/8081", false },
		{ "first tcp port conflict due to 0.0.0.0 hostIP", "TCP/0.0.0.0/8001",
		  "TCP/127.0.0.1/8001", false },
		{ "TCP hostPort conflict due to 0.0.0.0 hostIP",
		  "TCP/10.0.10.10/8001,TCP/0.0.0.0/8001", "TCP/127.0.0.1/8001", false },
		{ "second tcp port conflict to 0.0.0.0 hostIP", "TCP/127.0.0.1/8001",
		  "TCP/0.0.0.0/8001", false },
		{ "second different protocol", "UDP/127.0.0.1/8001", "TCP/0.0.0.0/8001", true },
		{ "UDP hostPort conflict due to 0.0.0.0 hostIP", "UDP/127.0.0.1/8001",
		  "TCP/0.0.0.0/8001,UDP/0.0.0.0/8001", false },
		/* kubelab: the defaults, an empty hostIP and protocol */
		{ "empty hostIP and protocol mean 0.0.0.0 and TCP", "//8080",
		  "TCP/10.0.0.5/8080", false },
		{ "empty protocol is not UDP", "/0.0.0.0/53", "UDP//53", true },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		harness_add_node(&cache, harness_node("node1", "cpu=4,memory=8Gi"));
		if (cases[i].existing)
			harness_add_bound_pod(&cache, port_pod("old", cases[i].existing), "node1");
		struct pod *p = port_pod("new", cases[i].pod);
		struct sched_status st;
		enum sched_code code = harness_filter(&sched_node_ports_plugin, &cache, p,
						      NULL, "node1", &st);
		if (cases[i].fits) {
			ck_assert_msg(code == SCHED_SUCCESS, "%s: %s", cases[i].what,
				      sched_code_name(code));
		} else {
			ck_assert_msg(code == SCHED_UNSCHEDULABLE, "%s: %s", cases[i].what,
				      sched_code_name(code));
			ck_assert_str_eq(st.reasons[0], REASON);
		}
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_pods_without_host_ports_skip_the_filter)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *p = harness_pod("web", "cpu=1");
	struct container_port *cp = HARNESS_APPEND(p->spec.containers.items[0].ports);
	cp->container_port = 80;	/* a container port alone takes no host port */
	struct sched_state state;
	sched_state_init(&state, p, &cache);
	struct sched_status st;
	sched_status_reset(&st);
	ck_assert_int_eq(sched_node_ports_plugin.pre_filter(&state, p, &st), SCHED_SKIP);
	sched_state_release(&state);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_port_is_free_again_when_the_last_pod_using_it_leaves)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	harness_add_node(&cache, harness_node("node1", "cpu=4,memory=8Gi"));
	/* Two pods bound by hand to the same port (they bypassed the
	 * scheduler): the port stays taken until both are gone. */
	harness_add_bound_pod(&cache, port_pod("a", "TCP//8080"), "node1");
	harness_add_bound_pod(&cache, port_pod("b", "TCP//8080"), "node1");
	struct pod *p = port_pod("new", "TCP//8080");
	struct sched_status st;
	ck_assert(sched_cache_remove_pod(&cache, "uid-a"));
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, p, NULL,
					"node1", &st), SCHED_UNSCHEDULABLE);
	ck_assert(sched_cache_remove_pod(&cache, "uid-b"));
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, p, NULL,
					"node1", &st), SCHED_SUCCESS);
	ck_assert_ptr_null(sched_cache_node(&cache, "node1")->used_ports);

	/* Assumed pods book their ports too; forgetting frees them. */
	sched_cache_assume_pod(&cache, p, (struct sched_node_info *)sched_cache_node(&cache, "node1"));
	struct pod *q = port_pod("next", "TCP//8080");
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, q, NULL,
					"node1", &st), SCHED_UNSCHEDULABLE);
	sched_cache_forget_pod(&cache, "uid-new");
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, q, NULL,
					"node1", &st), SCHED_SUCCESS);
	object_unref(&q->obj);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_sidecar_host_ports_count_and_plain_init_containers_do_not)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	harness_add_node(&cache, harness_node("node1", "cpu=4,memory=8Gi"));
	struct pod *old = harness_pod("old", "-");
	struct container *sidecar = HARNESS_APPEND(old->spec.init_containers);
	sidecar->name = xstrdup("proxy");
	sidecar->restart_policy = xstrdup("Always");
	struct container_port *cp = HARNESS_APPEND(sidecar->ports);
	cp->host_port = cp->container_port = 15001;
	struct container *init = HARNESS_APPEND(old->spec.init_containers);
	init->name = xstrdup("setup");
	cp = HARNESS_APPEND(init->ports);
	cp->host_port = cp->container_port = 9000;
	harness_add_bound_pod(&cache, old, "node1");

	struct sched_status st;
	struct pod *p = port_pod("new", "TCP//15001");
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, p, NULL,
					"node1", &st), SCHED_UNSCHEDULABLE);
	object_unref(&p->obj);
	p = port_pod("other", "TCP//9000");
	ck_assert_int_eq(harness_filter(&sched_node_ports_plugin, &cache, p, NULL,
					"node1", &st), SCHED_SUCCESS);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_node_ports_suite(void)
{
	Suite *s = suite_create("sched_node_ports");
	TCase *tc = tcase_create("ports");
	tcase_add_test(tc, test_node_ports_matches_upstream_table);
	tcase_add_test(tc, test_pods_without_host_ports_skip_the_filter);
	tcase_add_test(tc, test_port_is_free_again_when_the_last_pod_using_it_leaves);
	tcase_add_test(tc, test_sidecar_host_ports_count_and_plain_init_containers_do_not);
	suite_add_tcase(s, tc);
	return s;
}
