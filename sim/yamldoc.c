/* yamldoc.c - YAML files as trees of positioned nodes: the loader; see yamldoc.h.
 *
 * libyaml's parser hands us a stream of events (document start, scalar,
 * mapping start, ...). A small builder turns them into a tree with an
 * explicit stack of open mappings and sequences, so that deeply nested input
 * cannot overflow the C stack while parsing. We do not use libyaml's own
 * document loader because it neither rejects duplicate keys nor limits alias
 * expansion, and it can build cyclic graphs (`&a [*a]`).
 *
 * K8S: sigs.k8s.io/yaml goyaml.v2/decode.go (strict mode: "already set in
 *      map"); k8s.io/cli-runtime/pkg/resource/visitor.go (empty and null
 *      documents are skipped).
 *
 * Interface: yfile_load(), yfile_load_string() and yfile_free() (yamldoc.h).
 *
 * Invariants: the builder's stack holds exactly the mappings and sequences
 * still open; every node made, alias copies included, is counted against
 * YAMLDOC_MAX_NODES; a load that added any diagnostic returns NULL and frees
 * every partial tree.
 *
 * See also: yamldoc_scalar.c (what scalars mean, and the ynode_* readers).
 */
#include "yamldoc.h"
#include "yamldoc_internal.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- the tree ---- */

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *mark,
			      const yaml_char_t *tag)
{
	struct ynode *node = xcalloc(1, sizeof(*node));
	node->kind = kind;
	node->line = (int)mark->line + 1;	/* libyaml counts from 0 */
	node->column = (int)mark->column + 1;
	node->tag = xstrdup((const char *)tag);
	return node;
}

static void node_free(struct ynode *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->len; i++) {
		if (node->kind == YNODE_SEQ) {
			node_free(node->items[i]);
		} else if (node->kind == YNODE_MAP) {
			node_free(node->pairs[i].key);
			node_free(node->pairs[i].value);
		}
	}
	free(node->items);
	free(node->pairs);
	free(node->scalar);
	free(node->tag);
	free(node);
}

/* Deep copy, used to expand an alias. The depth limit bounds the recursion. */
static struct ynode *node_copy(const struct ynode *src)
{
	struct ynode *node = xcalloc(1, sizeof(*node));
	*node = *src;
	node->tag = xstrdup(src->tag);
	node->scalar = xstrdup(src->scalar);
	node->items = NULL;
	node->pairs = NULL;
	if (src->kind == YNODE_SEQ && src->len) {
		node->items = xmalloc(src->len * sizeof(*node->items));
		for (size_t i = 0; i < src->len; i++)
			node->items[i] = node_copy(src->items[i]);
	} else if (src->kind == YNODE_MAP && src->len) {
		node->pairs = xmalloc(src->len * sizeof(*node->pairs));
		for (size_t i = 0; i < src->len; i++) {
			node->pairs[i].key = node_copy(src->pairs[i].key);
			node->pairs[i].value = node_copy(src->pairs[i].value);
		}
	}
	return node;
}

void yfile_free(struct yfile *file)
{
	if (!file)
		return;
	for (size_t i = 0; i < file->len; i++)
		node_free(file->docs[i].root);
	free(file->docs);
	free(file->path);
	free(file);
}

/* ---- the builder: libyaml events to a tree ---- */

struct anchor {
	char *name;
	const struct ynode *node;	/* NULL while the node is being built */
	size_t size;			/* nodes in its subtree */
	int height;			/* levels in its subtree, 1 for a scalar */
};

/* An open mapping or sequence. */
struct frame {
	struct ynode *node;
	struct ynode *key;	/* mapping: a key still waiting for its value */
	size_t anchor;		/* index into anchors, or NO_ANCHOR */
	size_t first_count;	/* builder.count before this node was made */
	int height;		/* tallest child so far */
};

#define NO_ANCHOR ((size_t)-1)

struct builder {
	const char *name;		/* file name for diagnostics */
	struct diag_list *diags;
	struct yfile *file;
	struct frame *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;		/* of the current document */
	size_t anchors_len, anchors_cap;
	size_t count;			/* nodes made so far, copies included */
};

/* A diagnostic about user input, at the position of a node. */
#define problem(b, at, ...) \
	diag_add((b)->diags, (b)->name, (at)->line, (at)->column, __VA_ARGS__)

static void anchors_clear(struct builder *b)
{
	for (size_t i = 0; i < b->anchors_len; i++)
		free(b->anchors[i].name);
	b->anchors_len = 0;
}

static size_t anchor_add(struct builder *b, const yaml_char_t *name)
{
	if (!name)
		return NO_ANCHOR;
	xgrow((void **)&b->anchors, &b->anchors_cap, b->anchors_len + 1,
	      sizeof(*b->anchors));
	struct anchor *a = &b->anchors[b->anchors_len];
	a->name = xstrdup((const char *)name);
	a->node = NULL;
	a->size = a->height = 0;
	return b->anchors_len++;
}

/* The latest definition of name wins, as YAML says anchors may be redefined. */
static const struct anchor *anchor_find(const struct builder *b, const char *name)
{
	for (size_t i = b->anchors_len; i-- > 0;)
		if (!strcmp(b->anchors[i].name, name))
			return &b->anchors[i];
	return NULL;
}

static void check_duplicate_key(struct builder *b, const struct ynode *map,
				const struct ynode *key)
{
	for (size_t i = 0; i < map->len; i++) {
		const struct ynode *old = map->pairs[i].key;
		if (old->kind == YNODE_SCALAR && !strcmp(old->scalar, key->scalar)) {
			/* K8S: goyaml.v2 strict decoding, "already set in map" */
			problem(b, key, "key \"%s\" already set in map at line %d, column %d",
				key->scalar, old->line, old->column);
			return;
		}
	}
}

/* Hands a finished node to its parent (or makes it a document root). */
static void attach(struct builder *b, struct ynode *node, int height)
{
	if (b->depth == 0) {
		/* K8S: cli-runtime skips empty and `null` documents */
		if (ynode_is_null(node)) {
			node_free(node);
			return;
		}
		struct yfile *f = b->file;
		f->docs = xrealloc(f->docs, (f->len + 1) * sizeof(*f->docs));
		f->docs[f->len++].root = node;
		return;
	}
	struct frame *top = &b->stack[b->depth - 1];
	if (height > top->height)
		top->height = height;
	struct ynode *parent = top->node;
	if (parent->kind == YNODE_SEQ) {
		parent->items = xrealloc(parent->items,
					 (parent->len + 1) * sizeof(*parent->items));
		parent->items[parent->len++] = node;
		return;
	}
	if (!top->key) {
		/* JSON objects have string keys: `? [a, b] : c` cannot convert. */
		if (node->kind != YNODE_SCALAR)
			problem(b, node, "mapping keys must be scalars, got %s",
				ynode_kind_name(node->kind));
		else
			check_duplicate_key(b, parent, node);
		top->key = node;
		return;
	}
	parent->pairs = xrealloc(parent->pairs,
				 (parent->len + 1) * sizeof(*parent->pairs));
	parent->pairs[parent->len].key = top->key;
	parent->pairs[parent->len].value = node;
	parent->len++;
	top->key = NULL;
}

/* Counts n new nodes against the file's limit; false (with a diagnostic)
 * when the file would grow too large. */
static bool count_nodes(struct builder *b, size_t n, const struct ynode *at,
			const char *alias)
{
	if (b->count + n <= YAMLDOC_MAX_NODES) {
		b->count += n;
		return true;
	}
	if (alias)
		problem(b, at, "alias '*%s' would expand the file beyond %d nodes; "
			"refusing (a \"billion laughs\" document?)", alias,
			YAMLDOC_MAX_NODES);
	else
		problem(b, at, "file has more than %d nodes; refusing",
			YAMLDOC_MAX_NODES);
	return false;
}


static bool on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *node = node_new(YNODE_SCALAR, &ev->start_mark,
				      ev->data.scalar.tag);
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	node->scalar = xstrndup(text, len);
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!count_nodes(b, 1, node, NULL)) {
		node_free(node);
		return false;
	}
	if (memchr(text, '\0', len))
		problem(b, node, "strings containing NUL characters are not supported");
	yamldoc_check_tagged_scalar(node, b->name, b->diags);
	size_t a = anchor_add(b, ev->data.scalar.anchor);
	if (a != NO_ANCHOR) {
		b->anchors[a].node = node;
		b->anchors[a].size = 1;
		b->anchors[a].height = 1;
	}
	attach(b, node, 1);
	return true;
}

static bool on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = anchor_find(b, name);
	struct ynode *node;
	if (a && a->node) {
		struct ynode at = { .line = (int)ev->start_mark.line + 1,
				    .column = (int)ev->start_mark.column + 1 };
		if (b->depth + (size_t)a->height > YAMLDOC_MAX_DEPTH) {
			problem(b, &at, "exceeded max depth of %d", YAMLDOC_MAX_DEPTH);
			return false;
		}
		if (!count_nodes(b, a->size, &at, name))
			return false;
		attach(b, node_copy(a->node), a->height);
		return true;
	}
	/* Report, and put an empty scalar in its place to keep going. */
	node = node_new(YNODE_SCALAR, &ev->start_mark, NULL);
	node->scalar = xstrdup("");
	node->plain = true;
	if (a)
		problem(b, node, "anchor '%s' value contains itself", name);
	else
		problem(b, node, "unknown anchor '%s' referenced", name);
	if (!count_nodes(b, 1, node, NULL)) {
		node_free(node);
		return false;
	}
	attach(b, node, 1);
	return true;
}

static bool on_collection_start(struct builder *b, const yaml_event_t *ev)
{
	bool is_map = ev->type == YAML_MAPPING_START_EVENT;
	struct ynode *node = node_new(is_map ? YNODE_MAP : YNODE_SEQ, &ev->start_mark,
				      is_map ? ev->data.mapping_start.tag
					     : ev->data.sequence_start.tag);
	if (b->depth + 1 > YAMLDOC_MAX_DEPTH) {
		problem(b, node, "exceeded max depth of %d", YAMLDOC_MAX_DEPTH);
		node_free(node);
		return false;
	}
	size_t first_count = b->count;
	if (!count_nodes(b, 1, node, NULL)) {
		node_free(node);
		return false;
	}
	xgrow((void **)&b->stack, &b->stack_cap, b->depth + 1, sizeof(*b->stack));
	b->stack[b->depth++] = (struct frame){
		.node = node,
		.anchor = anchor_add(b, is_map ? ev->data.mapping_start.anchor
					       : ev->data.sequence_start.anchor),
		.first_count = first_count,
	};
	return true;
}

static void on_collection_end(struct builder *b)
{
	BUG_ON(b->depth == 0);
	struct frame top = b->stack[--b->depth];
	BUG_ON(top.key);	/* libyaml always emits a value, if only "" */
	int height = top.height + 1;
	if (top.anchor != NO_ANCHOR) {
		struct anchor *a = &b->anchors[top.anchor];
		a->node = top.node;
		a->size = b->count - top.first_count;
		a->height = height;
	}
	attach(b, top.node, height);
}

/* Returns false to stop reading (a limit was hit). */
static bool on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		anchors_clear(b);	/* anchors are local to a document */
		return true;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_collection_start(b, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_collection_end(b);
		return true;
	default:
		return true;
	}
}

/* A libyaml error: its problem text, with its context when it has one
 * ("did not find expected key (while parsing a block mapping starting at
 * line 1, column 1)"). Reader errors (bad UTF-8) carry a byte offset only. */
static void report_parser_error(struct builder *b, const yaml_parser_t *parser,
				const char *text, size_t len)
{
	if (parser->error == YAML_MEMORY_ERROR) {
		fputs("kubelab: out of memory\n", stderr);
		abort();
	}
	const char *what = parser->problem ? parser->problem : "invalid YAML";
	if (parser->error == YAML_READER_ERROR) {
		int line = 1, column = 1;
		for (size_t i = 0; i < parser->problem_offset && i < len; i++) {
			column++;
			if (text[i] == '\n') {
				line++;
				column = 1;
			}
		}
		diag_add(b->diags, b->name, line, column, "%s", what);
		return;
	}
	int line = (int)parser->problem_mark.line + 1;
	int column = (int)parser->problem_mark.column + 1;
	if (parser->context)
		diag_add(b->diags, b->name, line, column,
			 "%s (%s starting at line %d, column %d)", what,
			 parser->context, (int)parser->context_mark.line + 1,
			 (int)parser->context_mark.column + 1);
	else
		diag_add(b->diags, b->name, line, column, "%s", what);
}

struct yfile *yfile_load_string(const char *name, const char *text, size_t len,
				struct diag_list *diags)
{
	size_t diags_before = diags->len;
	struct builder b = { .name = name, .diags = diags };
	b.file = xcalloc(1, sizeof(*b.file));
	b.file->path = xstrdup(name);

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fputs("kubelab: out of memory\n", stderr);
		abort();
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		yaml_event_t event;
		if (!yaml_parser_parse(&parser, &event)) {
			report_parser_error(&b, &parser, text, len);
			break;
		}
		bool more = on_event(&b, &event) && event.type != YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		if (!more)
			break;
	}
	yaml_parser_delete(&parser);

	/* After an error, open frames hold partial trees: free them. */
	while (b.depth > 0) {
		struct frame *top = &b.stack[--b.depth];
		node_free(top->key);
		node_free(top->node);
	}
	free(b.stack);
	anchors_clear(&b);
	free(b.anchors);
	if (diags->len > diags_before) {
		yfile_free(b.file);
		return NULL;
	}
	return b.file;
}

struct yfile *yfile_load(const char *path, struct diag_list *diags)
{
	FILE *in = fopen(path, "rb");
	if (!in) {
		diag_add(diags, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		xgrow((void **)&text, &cap, len + 4096, 1);
		size_t got = fread(text + len, 1, cap - len, in);
		len += got;
		if (got == 0)
			break;
	}
	int read_errno = ferror(in) ? (errno ? errno : EIO) : 0;
	fclose(in);
	if (read_errno) {
		diag_add(diags, path, 0, 0, "cannot read '%s': %s", path,
			 strerror(read_errno));
		free(text);
		return NULL;
	}
	struct yfile *file = yfile_load_string(path, text, len, diags);
	free(text);
	return file;
}
