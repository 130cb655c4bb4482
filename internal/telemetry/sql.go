package telemetry

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// GORM gives every SQL statement run through db a client span, the child of the span in the
// statement's context. The statement is recorded without its arguments: they are the users'
// data.
func GORM(tp trace.TracerProvider, db *gorm.DB) error {
	t := sqlTracer{tracer: tp.Tracer("github.com/wbk/crm/internal/telemetry"), system: db.Dialector.Name()}
	cb := db.Callback()
	for _, p := range []struct {
		name          string
		before, after func(string, func(*gorm.DB)) error
	}{
		{"create", cb.Create().Before("gorm:create").Register, cb.Create().After("gorm:create").Register},
		{"query", cb.Query().Before("gorm:query").Register, cb.Query().After("gorm:query").Register},
		{"update", cb.Update().Before("gorm:update").Register, cb.Update().After("gorm:update").Register},
		{"delete", cb.Delete().Before("gorm:delete").Register, cb.Delete().After("gorm:delete").Register},
		{"row", cb.Row().Before("gorm:row").Register, cb.Row().After("gorm:row").Register},
		{"raw", cb.Raw().Before("gorm:raw").Register, cb.Raw().After("gorm:raw").Register},
	} {
		if err := p.before("telemetry:before_"+p.name, t.start(p.name)); err != nil {
			return err
		}
		if err := p.after("telemetry:after_"+p.name, t.end); err != nil {
			return err
		}
	}
	return nil
}

type sqlTracer struct {
	tracer trace.Tracer
	system string
}

func (t sqlTracer) start(op string) func(*gorm.DB) {
	return func(db *gorm.DB) {
		if db.Statement == nil || db.Statement.Context == nil {
			return
		}
		ctx, span := t.tracer.Start(db.Statement.Context, "sql."+op, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", t.system), attribute.String("db.operation", op)))
		db.Statement.Context = ctx
		db.InstanceSet("telemetry:span", span)
	}
}

func (t sqlTracer) end(db *gorm.DB) {
	v, ok := db.InstanceGet("telemetry:span")
	if !ok {
		return
	}
	span := v.(trace.Span)
	if db.Statement != nil {
		span.SetAttributes(attribute.String("db.statement", db.Statement.SQL.String()),
			attribute.Int64("db.rows_affected", db.RowsAffected))
		if table := db.Statement.Table; table != "" {
			span.SetAttributes(attribute.String("db.sql.table", table))
		}
	}
	if db.Error != nil && db.Error != gorm.ErrRecordNotFound {
		span.RecordError(db.Error)
		span.SetStatus(codes.Error, db.Error.Error())
	}
	span.End()
}
