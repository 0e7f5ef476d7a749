/* yamldoc.h - YAML files as trees of positioned nodes.
 *
 * Kubernetes reads manifests as YAML but thinks in JSON: kubectl splits a
 * file at `---`, converts each document to JSON and decodes that strictly
 * (duplicate keys are an error). The conversion decides what is a number and
 * what is a string: `replicas: 3` is a number, `replicas: "3"` a string, and
 * `defaultMode: 0644` the octal number 420.
 * K8S: sigs.k8s.io/yaml (YAMLToJSON, with its fork of go-yaml v2, goyaml.v2);
 *      k8s.io/cli-runtime/pkg/resource/visitor.go (empty and null documents
 *      are skipped).
 *
 * This module is the only one that sees libyaml. It turns a file into a tree
 * of struct ynode, each remembering where it was written (1-based line and
 * column), so that the manifest decoder and the scenario loader can say
 * "pods.yaml:12:7: expected an integer, got a mapping" about any node.
 *
 * Interface: yfile_load() / yfile_load_string() parse a whole file and return
 * every non-empty document, or NULL after adding diagnostics (struct
 * diag_list, diag.h) for every problem found: syntax errors (libyaml's own
 * words and position), duplicate keys, keys that are not scalars, unknown
 * aliases, and files that are too large or too deep. The ynode_* readers
 * then interpret scalars the way the YAML-to-JSON conversion does.
 *
 * Invariants of a loaded tree:
 *   - it is a tree: aliases are expanded into copies of the anchored node
 *     (the copies keep the anchored node's positions, where the text is);
 *   - every mapping key is a scalar, and no mapping has two equal keys;
 *   - no scalar contains a NUL byte, so `scalar` is an ordinary C string;
 *   - a file holds at most YAMLDOC_MAX_NODES nodes after alias expansion and
 *     nests at most YAMLDOC_MAX_DEPTH deep (this bounds the recursion in
 *     ynode_free and the "billion laughs" expansion of nested aliases).
 *
 * Not done, on purpose: keys keep their text (goyaml.v2 would turn a key
 * `on:` or `1:` into JSON "true" or "1"); merge keys (`<<: *defaults`) are
 * ordinary keys, which the decoder then reports as unknown fields.
 *
 * Ownership: a struct yfile owns everything reachable from it; yfile_free()
 * frees it all. Nodes returned by the getters are borrowed from the file.
 *
 * See also: diag.h (positioned diagnostics), decode.c (manifests to objects).
 */
#ifndef KUBELAB_YAMLDOC_H
#define KUBELAB_YAMLDOC_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits, per file, counting nodes after alias expansion. kubelab manifests
 * and scenarios have hundreds of nodes; these only stop hostile input. */
#define YAMLDOC_MAX_NODES 100000
#define YAMLDOC_MAX_DEPTH 1000

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

/* What a scalar means once converted to JSON (see ynode_scalar_type). */
enum yscalar_type {
	YSCALAR_NULL,
	YSCALAR_BOOL,
	YSCALAR_INT,
	YSCALAR_FLOAT,
	YSCALAR_STRING,
};

struct ypair;

struct ynode {
	enum ynode_kind kind;
	int line, column;	/* 1-based, where the node starts */
	char *tag;		/* explicit tag in full ("tag:yaml.org,2002:str"
				 * for !!str), or NULL when none was written */
	/* YNODE_SCALAR: */
	char *scalar;		/* the text, never NULL ("" for `key:`) */
	bool plain;		/* written without quotes or block style (| >) */
	/* YNODE_SEQ: items[0..len); YNODE_MAP: pairs[0..len), in document order */
	struct ynode **items;
	struct ypair *pairs;
	size_t len;
};

struct ypair {
	struct ynode *key;	/* always YNODE_SCALAR */
	struct ynode *value;
};

struct ydoc {
	struct ynode *root;	/* never NULL, never a null scalar */
};

struct yfile {
	char *path;		/* as given to yfile_load */
	struct ydoc *docs;	/* the non-empty documents, in file order */
	size_t len;
};

/* Reads and parses the file at path. On success returns a new yfile (free
 * it with yfile_free); a file with no documents, or only empty ones, has
 * len 0. On any problem adds one diagnostic per problem to diags (named
 * after path) and returns NULL; an unreadable file is a diagnostic too:
 * "cannot open 'x.yaml': No such file or directory". */
struct yfile *yfile_load(const char *path, struct diag_list *diags);

/* As yfile_load, for text[0..len) already in memory; name is used in
 * diagnostics and becomes the yfile's path. text need not be NUL-terminated. */
struct yfile *yfile_load_string(const char *name, const char *text, size_t len,
				struct diag_list *diags);

void yfile_free(struct yfile *file);	/* NULL is allowed */

/* The value for key in map, or NULL when absent or when map is not a
 * mapping (or is NULL). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* True for a plain (unquoted) `~`, `null`, `Null`, `NULL` or empty scalar,
 * or a scalar tagged !!null. A quoted "" is a string, not null. */
bool ynode_is_null(const struct ynode *node);

/* How the YAML-to-JSON conversion reads a scalar (goyaml.v2 resolution):
 *   - quoted or block scalars, and scalars tagged !!str, are strings;
 *   - plain null: "", ~, null, Null, NULL;
 *   - plain bool: true/false in three spellings (true, True, TRUE) and the
 *     YAML 1.1 words y, yes, on, n, no, off (same spellings) - so an
 *     unquoted `yes` is a boolean, as kubectl sends it;
 *   - plain int: optional sign, then decimal, 0x hex, 0o or leading-0 octal
 *     (0644 is 420), or 0b binary; underscores are ignored (1_000);
 *   - plain float: 1.5, .5, 1e3, -2.5E-3, .inf, -.inf, .nan;
 *   - anything else is a string (timestamps too: kubelab keeps their text).
 * A scalar with an explicit core tag (!!int, !!bool, ...) was checked at
 * load time to fit it. node must be a scalar (a bug otherwise). */
enum yscalar_type ynode_scalar_type(const struct ynode *node);

/* Typed readers following ynode_scalar_type. Each returns 0 and sets *out,
 * or returns -1 (leaving *out alone) when node is not a scalar of that type.
 * ynode_int64 also fails for integers beyond int64; ynode_double accepts
 * integers too (JSON has one number type). */
int ynode_bool(const struct ynode *node, bool *out);
int ynode_int64(const struct ynode *node, int64_t *out);
int ynode_double(const struct ynode *node, double *out);

/* For messages: "a mapping", "a list", "a scalar". */
const char *ynode_kind_name(enum ynode_kind kind);
/* For messages, more precise for scalars: "a mapping", "a list", "null",
 * "a boolean", "an integer", "a number", "a string". */
const char *ynode_describe(const struct ynode *node);

#endif
