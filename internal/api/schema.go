package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// The schemas of the OpenAPI document are made from the very Go types the
// handlers encode and decode, by reflection, so that a field added to a
// response or a request is in the document as soon as it is in the code.
// JSON Schema 2020-12, as OpenAPI 3.1 takes it.

// schema is one JSON Schema object.
type schema = map[string]any

// schemaSet collects the named schemas of components/schemas while the
// operations are described.
type schemaSet struct {
	names   map[reflect.Type]string // Go type → component name
	enums   map[reflect.Type][]string
	oneOf   map[reflect.Type][]reflect.Type // interface type → the types its value may be
	schemas map[string]schema               // component name → its schema, once made
	modes   map[string]bool                 // component name → made for a request
}

// ref is the schema of a value of type t: a $ref to its component when t
// is named in s.names, otherwise t described in place. In a request,
// every field is optional unless the operation names it required, and a
// pointer field may also be null (it then keeps what is stored).
func (s *schemaSet) ref(t reflect.Type, request bool) schema {
	if name, ok := s.names[t]; ok {
		if made, ok := s.modes[name]; ok && made != request {
			panic("api: schema " + name + " is used in requests and responses alike: name only one of them")
		}
		s.modes[name] = request
		if _, made := s.schemas[name]; !made {
			s.schemas[name] = nil // guards against a type that contains itself
			s.schemas[name] = s.describe(t, request)
		}
		return schema{"$ref": "#/components/schemas/" + name}
	}
	return s.describe(t, request)
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func (s *schemaSet) describe(t reflect.Type, request bool) schema {
	if values, ok := s.enums[t]; ok {
		return schema{"type": "string", "enum": values}
	}
	switch t {
	case timeType:
		return schema{"type": "string", "format": "date-time"}
	case rawType:
		return schema{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(s.ref(t.Elem(), request))
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return schema{"type": "integer"}
	case reflect.Float64:
		return schema{"type": "number"}
	case reflect.Slice:
		return schema{"type": "array", "items": s.ref(t.Elem(), request)}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": s.ref(t.Elem(), request)}
	case reflect.Interface:
		alts, ok := s.oneOf[t]
		if !ok {
			return schema{}
		}
		refs := make([]any, len(alts))
		for i, alt := range alts {
			refs[i] = s.ref(alt, request)
		}
		return schema{"oneOf": refs}
	case reflect.Struct:
		return s.object(t, request)
	}
	panic(fmt.Sprintf("api: no JSON schema for %s", t))
}

// object describes a struct as encoding/json writes it: embedded structs'
// fields inline, a field with omitempty or omitzero optional, every other
// one required (in a response), and nothing else allowed.
func (s *schemaSet) object(t reflect.Type, request bool) schema {
	props := schema{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				walk(f.Type)
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			ft := f.Type
			if optional && ft.Kind() == reflect.Pointer {
				ft = ft.Elem() // left out when nil, never null
			}
			p := s.ref(ft, request)
			if d := f.Tag.Get("doc"); d != "" {
				p = withDescription(p, d)
			}
			props[name] = p
			if !optional && !request {
				required = append(required, name)
			}
		}
	}
	walk(t)
	o := schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// nullable lets a schema also be null.
func nullable(sc schema) schema {
	if typ, ok := sc["type"].(string); ok && sc["$ref"] == nil {
		out := schema{}
		for k, v := range sc {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		if enum, ok := sc["enum"].([]string); ok {
			out["enum"] = append(append([]any{}, toAny(enum)...), nil)
		}
		return out
	}
	return schema{"oneOf": []any{sc, schema{"type": "null"}}}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// withDescription adds words to a schema; beside a $ref they go in an
// allOf-free wrapper, which 3.1 allows.
func withDescription(sc schema, d string) schema {
	out := schema{}
	for k, v := range sc {
		out[k] = v
	}
	out["description"] = d
	return out
}
