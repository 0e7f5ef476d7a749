/* yamldoc_internal.h - declarations shared by the files of the YAML loader.
 *
 * Internal to yamldoc.c and yamldoc_scalar.c; nothing else includes it. The
 * public interface is yamldoc.h.
 */
#ifndef KUBELAB_YAMLDOC_INTERNAL_H
#define KUBELAB_YAMLDOC_INTERNAL_H

#include "diag.h"
#include "yamldoc.h"

/* `!!int abc` cannot convert: adds a diagnostic (named after name, at the
 * node's position) when node carries an explicit core tag (!!null, !!bool,
 * !!int, !!float) that its text does not fit. Other nodes pass silently.
 * Called by the builder for every scalar as it is read. */
void yamldoc_check_tagged_scalar(const struct ynode *node, const char *name,
				 struct diag_list *diags);

#endif
