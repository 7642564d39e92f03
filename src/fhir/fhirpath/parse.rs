//! Tokens and syntax tree of the FHIRPath subset (see the module documentation).

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Dec(f64),
    Bool(bool),
    /// `{}`
    Empty,
    /// `$this`
    This,
    /// `%resource`, `%ucum`...
    Var(String),
    /// A member of the focus (`name`), or of the result of an expression (`name.given`).
    Member(Option<Box<Expr>>, String),
    /// A function call on the focus (`exists()`) or on an expression (`name.exists()`).
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Is(Box<Expr>, String),
    As(Box<Expr>, String),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Implies,
    Or,
    Xor,
    And,
    In,
    Contains,
    Eq,
    Ne,
    Equiv,
    NotEquiv,
    Lt,
    Gt,
    Le,
    Ge,
    Union,
    Add,
    Sub,
    Concat,
    Mul,
    Div,
    IntDiv,
    Mod,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Var(String),
    Sym(&'static str),
}

const SYMBOLS: &[&str] = &[
    "!=", "!~", "<=", ">=", "(", ")", "[", "]", ".", ",", "|", "&", "+", "-", "*", "/", "=", "~",
    "<", ">", "{", "}",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\'' || c == '`' {
            let quote = c;
            let mut s = String::new();
            i += 1;
            loop {
                let Some(&ch) = chars.get(i) else {
                    return Err("unterminated string".into());
                };
                i += 1;
                if ch == quote {
                    break;
                }
                if ch == '\\' {
                    let Some(&e) = chars.get(i) else {
                        return Err("unterminated escape".into());
                    };
                    i += 1;
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                } else {
                    s.push(ch);
                }
            }
            out.push(if quote == '`' {
                Tok::Ident(s)
            } else {
                Tok::Str(s)
            });
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' || c == '%' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(match word.strip_prefix('%') {
                Some(v) => Tok::Var(v.to_string()),
                None => Tok::Ident(word),
            });
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            Some(s) => {
                out.push(Tok::Sym(s));
                i += s.chars().count();
            }
            None => return Err(format!("unexpected character '{c}'")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

/// Parses a FHIRPath expression of the supported subset.
pub fn parse(src: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
    };
    let e = p.expr(0)?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.pos]));
    }
    Ok(e)
}

/// Binary operator levels, lowest first.
const LEVELS: &[&[(&str, Op)]] = &[
    &[("implies", Op::Implies)],
    &[("or", Op::Or), ("xor", Op::Xor)],
    &[("and", Op::And)],
    &[("in", Op::In), ("contains", Op::Contains)],
    &[
        ("=", Op::Eq),
        ("!=", Op::Ne),
        ("~", Op::Equiv),
        ("!~", Op::NotEquiv),
    ],
    &[("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)],
    &[("|", Op::Union)],
    // level 7: `is` / `as` (handled in `expr`)
    &[],
    &[("+", Op::Add), ("-", Op::Sub), ("&", Op::Concat)],
    &[
        ("*", Op::Mul),
        ("/", Op::Div),
        ("div", Op::IntDiv),
        ("mod", Op::Mod),
    ],
];

const TYPE_LEVEL: usize = 7;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn is_word(&self, w: &str) -> bool {
        match self.peek() {
            Some(Tok::Ident(s)) => s == w,
            Some(Tok::Sym(s)) => *s == w,
            _ => false,
        }
    }

    fn expect(&mut self, sym: &str) -> Result<(), String> {
        if self.is_word(sym) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{sym}', found {:?}", self.peek()))
        }
    }

    fn expr(&mut self, level: usize) -> Result<Expr, String> {
        if level >= LEVELS.len() {
            return self.unary();
        }
        let mut left = self.expr(level + 1)?;
        loop {
            if level == TYPE_LEVEL {
                let is = self.is_word("is");
                if is || self.is_word("as") {
                    self.pos += 1;
                    let ty = self.type_name()?;
                    left = if is {
                        Expr::Is(Box::new(left), ty)
                    } else {
                        Expr::As(Box::new(left), ty)
                    };
                    continue;
                }
                return Ok(left);
            }
            let Some(op) = LEVELS[level]
                .iter()
                .find(|(w, _)| self.is_word(w))
                .map(|(_, op)| *op)
            else {
                return Ok(left);
            };
            self.pos += 1;
            let right = self.expr(level + 1)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn type_name(&mut self) -> Result<String, String> {
        let mut name = match self.toks.get(self.pos) {
            Some(Tok::Ident(s)) => s.clone(),
            other => return Err(format!("expected a type name, found {other:?}")),
        };
        self.pos += 1;
        // `FHIR.boolean`, `System.String`: the namespace is ignored
        while self.is_word(".") {
            self.pos += 1;
            match self.toks.get(self.pos) {
                Some(Tok::Ident(s)) => name = s.clone(),
                other => return Err(format!("expected a type name, found {other:?}")),
            }
            self.pos += 1;
        }
        Ok(name)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.is_word("-") {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.is_word("+") {
            self.pos += 1;
            return self.unary();
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut e = self.term()?;
        loop {
            if self.is_word(".") {
                self.pos += 1;
                let name = match self.toks.get(self.pos) {
                    Some(Tok::Ident(s)) => s.clone(),
                    other => return Err(format!("expected a name after '.', found {other:?}")),
                };
                self.pos += 1;
                e = if self.is_word("(") {
                    let args = self.args()?;
                    Expr::Call(Some(Box::new(e)), name, args)
                } else {
                    Expr::Member(Some(Box::new(e)), name)
                };
            } else if self.is_word("[") {
                self.pos += 1;
                let idx = self.expr(0)?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(idx));
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, String> {
        self.expect("(")?;
        let mut args = Vec::new();
        if self.is_word(")") {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expr(0)?);
            if self.is_word(",") {
                self.pos += 1;
                continue;
            }
            self.expect(")")?;
            return Ok(args);
        }
    }

    fn term(&mut self) -> Result<Expr, String> {
        let Some(t) = self.toks.get(self.pos).cloned() else {
            return Err("unexpected end of expression".into());
        };
        self.pos += 1;
        match t {
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Num(n) => {
                if n.contains('.') {
                    n.parse().map(Expr::Dec).map_err(|e| format!("{n}: {e}"))
                } else {
                    n.parse().map(Expr::Int).map_err(|e| format!("{n}: {e}"))
                }
            }
            Tok::Var(v) => Ok(Expr::Var(v)),
            Tok::Sym("(") => {
                let e = self.expr(0)?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Sym("{") => {
                self.expect("}")?;
                Ok(Expr::Empty)
            }
            Tok::Ident(w) => match w.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "$this" => Ok(Expr::This),
                _ if w.starts_with('$') => Err(format!("unsupported variable {w}")),
                _ => {
                    if self.is_word("(") {
                        let args = self.args()?;
                        Ok(Expr::Call(None, w, args))
                    } else {
                        Ok(Expr::Member(None, w))
                    }
                }
            },
            Tok::Sym(s) => Err(format!("unexpected '{s}'")),
        }
    }
}
