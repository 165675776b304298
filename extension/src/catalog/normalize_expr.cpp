// Canonical form of stored expressions before they are deparsed.
//
// Some expressions do not survive a dump and reload as the same tree: a CHECK written as
// `col IN ('a', 'b')` on a varchar column is stored as
//   (col)::text = ANY ((ARRAY['a'::varchar, 'b'::varchar])::text[])
// pg_dump prints exactly that, and parsing it back gives
//   (col)::text = ANY (ARRAY[('a'::varchar)::text, ('b'::varchar)::text])
// Same meaning, different tree, different text. Folding every sub-tree that is made only
// of constants and the casts, arrays and coercions between them into one constant makes
// both read `(col)::text = ANY ('{a,b}'::text[])`. Nothing else is folded: no function
// is evaluated or inlined, no Var is touched. A constant of an OID alias type
// ('t'::regclass) is never folded: relabeled to oid it would print the OID, which differs
// in every database, where the alias prints the name.
#include "reader.hpp"

#include "pg_squash/catalog/oid_alias.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
}

namespace squash::catalog {

namespace {

// A reg* type, an array of one, or a domain over either.
bool names_by_oid(Oid type) {
  type = getBaseType(type);
  if (is_oid_alias_type(type)) return true;
  const Oid element = get_element_type(type);
  return element != InvalidOid && is_oid_alias_type(getBaseType(element));
}

// True when node is built only from constants and the casts/arrays around them.
bool constant_casts_only(Node* node) {
  if (!node) return true;
  switch (nodeTag(node)) {
    case T_Const:
      return !names_by_oid(castNode(Const, node)->consttype);
    case T_CaseTestExpr:
      return true;
    case T_RelabelType:
      return constant_casts_only(reinterpret_cast<Node*>(castNode(RelabelType, node)->arg));
    case T_ArrayCoerceExpr: {
      auto* a = castNode(ArrayCoerceExpr, node);
      return constant_casts_only(reinterpret_cast<Node*>(a->arg)) &&
             constant_casts_only(reinterpret_cast<Node*>(a->elemexpr));
    }
    case T_ArrayExpr: {
      ListCell* lc;
      foreach (lc, castNode(ArrayExpr, node)->elements)
        if (!constant_casts_only(static_cast<Node*>(lfirst(lc)))) return false;
      return true;
    }
    default:
      return false;
  }
}

Node* fold_mutator(Node* node, void* context) {
  if (!node) return nullptr;
  switch (nodeTag(node)) {
    case T_RelabelType:
    case T_ArrayCoerceExpr:
    case T_ArrayExpr:
      // Binary-compatible relabelings and array constructors of constants only: folding
      // them evaluates no user function.
      if (constant_casts_only(node)) return eval_const_expressions(nullptr, node);
      break;
    default:
      break;
  }
  // The mutator API takes an unprototyped function pointer; go through void (*)(void).
  auto generic = reinterpret_cast<void (*)(void)>(fold_mutator);
  return expression_tree_mutator(node, reinterpret_cast<Node* (*)()>(generic), context);
}

}  // namespace

Node* fold_constant_casts(Node* node) {
  return fold_mutator(node, nullptr);
}

}  // namespace squash::catalog

namespace squash {

bool is_oid_alias_type(unsigned int type) {
  switch (type) {
    case REGPROCOID:
    case REGPROCEDUREOID:
    case REGOPEROID:
    case REGOPERATOROID:
    case REGCLASSOID:
    case REGCOLLATIONOID:
    case REGTYPEOID:
    case REGROLEOID:
    case REGNAMESPACEOID:
    case REGCONFIGOID:
    case REGDICTIONARYOID:
      return true;
    default:
      return false;
  }
}

}  // namespace squash
